// Text normalisation and pre-tokenisation for CLIP's byte-level BPE, matching OpenAI's simple_tokenizer.py:
//   basic_clean:      ftfy.fix_text (NOT reproduced, see below), html.unescape twice, str.strip()
//   whitespace_clean: regex \s+ -> ' ', str.strip()
//   then str.lower(), then the pre-tokenisation regex
//   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+  (IGNORECASE).
//
// Deviations from OpenAI (documented, deliberate):
//   * ftfy.fix_text is not applied (no C++ equivalent): no mojibake repair, no NFC normalisation, no curly-quote
//     uncurling, no ligature / full-width folding, no control-character removal. Texts that are already clean
//     NFC Unicode (all synthetic-world captions, ordinary English) tokenize exactly as OpenAI's tokenizer does;
//     e.g. "it’s" (curly apostrophe) gives "it", "’", "s" here, whereas real ftfy would first make it "it's".
//   * html.unescape knows the 252 HTML 4 entities plus &apos; and the upper-case legacy forms (&AMP &COPY &GT &LT
//     &QUOT &REG), all with Python's semicolon-less legacy rules, every numeric form and Python's replacement tables
//     for invalid code points; the ~2000 HTML5-only named entities (e.g. &NewLine;) are left as text.
//
// Example:
//   absl::Status ok = CheckUtf8(text);                    // reject invalid input first
//   std::string cleaned = CleanText("A &amp; B  ");        // "a & b"
//   std::vector<std::string> pieces = PreTokenize(cleaned);  // {"a", "&", "b"}
#ifndef ZEGCLIP_CLIP_TEXT_CLEANING_H_
#define ZEGCLIP_CLIP_TEXT_CLEANING_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace zegclip::clip {

// OK when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF); otherwise
// InvalidArgument naming the byte offset and value of the first bad byte.
absl::Status CheckUtf8(const std::string& text);

// One pass of Python's html.unescape over valid UTF-8 (see the header comment for the entity coverage).
std::string HtmlUnescape(const std::string& utf8);

// OpenAI's whitespace_clean(basic_clean(text)).lower() minus ftfy. Precondition: CheckUtf8(utf8).ok().
std::string CleanText(const std::string& utf8);

// Splits cleaned text into OpenAI's pre-tokens (UTF-8 pieces; whitespace is dropped). Thread-safe.
// Precondition: valid UTF-8.
std::vector<std::string> PreTokenize(const std::string& cleaned_utf8);

// bytes.decode('utf-8', errors='replace'): every maximal invalid subsequence becomes U+FFFD, as CPython does.
std::string DecodeUtf8Replacing(const std::string& bytes);

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_TEXT_CLEANING_H_
