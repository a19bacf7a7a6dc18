// Text normalisation, html.unescape and pre-tokenisation for CLIP's BPE (see text_cleaning.h).
#include "zegclip/clip/text_cleaning.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <unicode/locid.h>
#include <unicode/regex.h>
#include <unicode/unistr.h>

#include "absl/strings/str_format.h"

namespace zegclip::clip {
namespace {

constexpr char32_t kReplacementChar = 0xFFFD;

// ---------------------------------------------------------------------------------------------------------------
// UTF-8 <-> code points.

bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence starting at `i` (Unicode Table 3-7), or 0 if it is ill-formed. The
// second-byte ranges exclude overlong forms, surrogates and code points above U+10FFFF.
size_t WellFormedLength(const std::string& s, size_t i) {
  const size_t n = s.size();
  const uint8_t b0 = static_cast<uint8_t>(s[i]);
  if (b0 < 0x80) return 1;
  size_t len;
  uint8_t lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + 1 >= n) return 0;
  const uint8_t b1 = static_cast<uint8_t>(s[i + 1]);
  if (b1 < lo || b1 > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (i + k >= n || !IsContinuation(static_cast<uint8_t>(s[i + k]))) return 0;
  }
  return len;
}

char32_t DecodeAt(const std::string& s, size_t i, size_t len) {
  const uint8_t b0 = static_cast<uint8_t>(s[i]);
  if (len == 1) return b0;
  char32_t c = b0 & (0xFF >> (len + 1));
  for (size_t k = 1; k < len; ++k) c = (c << 6) | (static_cast<uint8_t>(s[i + k]) & 0x3F);
  return c;
}

// Precondition: valid UTF-8.
std::u32string ToCodePoints(const std::string& s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t len = WellFormedLength(s, i);
    if (len == 0) {  // Unreachable for valid input; keeps the function total.
      out.push_back(kReplacementChar);
      ++i;
      continue;
    }
    out.push_back(DecodeAt(s, i, len));
    i += len;
  }
  return out;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string ToUtf8(const std::u32string& s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) AppendUtf8(c, &out);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// html.unescape (CPython 3.11 Lib/html/__init__.py).

struct NamedEntity {
  const char* name;
  char32_t code_point;
  bool legacy;  // also recognised without the trailing ';' (HTML5's legacy list)
};

// The HTML 4 entities, &apos; and the upper-case legacy names, with HTML5's values (which Python uses).
constexpr NamedEntity kEntities[] = {
    {"AElig", 0xC6, true}, {"AMP", 0x26, true}, {"Aacute", 0xC1, true}, {"Acirc", 0xC2, true}, {"Agrave", 0xC0, true},
    {"Alpha", 0x391, false}, {"Aring", 0xC5, true}, {"Atilde", 0xC3, true}, {"Auml", 0xC4, true},
    {"Beta", 0x392, false}, {"COPY", 0xA9, true}, {"Ccedil", 0xC7, true}, {"Chi", 0x3A7, false},
    {"Dagger", 0x2021, false}, {"Delta", 0x394, false}, {"ETH", 0xD0, true}, {"Eacute", 0xC9, true},
    {"Ecirc", 0xCA, true}, {"Egrave", 0xC8, true}, {"Epsilon", 0x395, false}, {"Eta", 0x397, false},
    {"Euml", 0xCB, true}, {"GT", 0x3E, true}, {"Gamma", 0x393, false}, {"Iacute", 0xCD, true}, {"Icirc", 0xCE, true},
    {"Igrave", 0xCC, true}, {"Iota", 0x399, false}, {"Iuml", 0xCF, true}, {"Kappa", 0x39A, false}, {"LT", 0x3C, true},
    {"Lambda", 0x39B, false}, {"Mu", 0x39C, false}, {"Ntilde", 0xD1, true}, {"Nu", 0x39D, false},
    {"OElig", 0x152, false}, {"Oacute", 0xD3, true}, {"Ocirc", 0xD4, true}, {"Ograve", 0xD2, true},
    {"Omega", 0x3A9, false}, {"Omicron", 0x39F, false}, {"Oslash", 0xD8, true}, {"Otilde", 0xD5, true},
    {"Ouml", 0xD6, true}, {"Phi", 0x3A6, false}, {"Pi", 0x3A0, false}, {"Prime", 0x2033, false}, {"Psi", 0x3A8, false},
    {"QUOT", 0x22, true}, {"REG", 0xAE, true}, {"Rho", 0x3A1, false}, {"Scaron", 0x160, false},
    {"Sigma", 0x3A3, false}, {"THORN", 0xDE, true}, {"Tau", 0x3A4, false}, {"Theta", 0x398, false},
    {"Uacute", 0xDA, true}, {"Ucirc", 0xDB, true}, {"Ugrave", 0xD9, true}, {"Upsilon", 0x3A5, false},
    {"Uuml", 0xDC, true}, {"Xi", 0x39E, false}, {"Yacute", 0xDD, true}, {"Yuml", 0x178, false}, {"Zeta", 0x396, false},
    {"aacute", 0xE1, true}, {"acirc", 0xE2, true}, {"acute", 0xB4, true}, {"aelig", 0xE6, true},
    {"agrave", 0xE0, true}, {"alefsym", 0x2135, false}, {"alpha", 0x3B1, false}, {"amp", 0x26, true},
    {"and", 0x2227, false}, {"ang", 0x2220, false}, {"apos", 0x27, false}, {"aring", 0xE5, true},
    {"asymp", 0x2248, false}, {"atilde", 0xE3, true}, {"auml", 0xE4, true}, {"bdquo", 0x201E, false},
    {"beta", 0x3B2, false}, {"brvbar", 0xA6, true}, {"bull", 0x2022, false}, {"cap", 0x2229, false},
    {"ccedil", 0xE7, true}, {"cedil", 0xB8, true}, {"cent", 0xA2, true}, {"chi", 0x3C7, false}, {"circ", 0x2C6, false},
    {"clubs", 0x2663, false}, {"cong", 0x2245, false}, {"copy", 0xA9, true}, {"crarr", 0x21B5, false},
    {"cup", 0x222A, false}, {"curren", 0xA4, true}, {"dArr", 0x21D3, false}, {"dagger", 0x2020, false},
    {"darr", 0x2193, false}, {"deg", 0xB0, true}, {"delta", 0x3B4, false}, {"diams", 0x2666, false},
    {"divide", 0xF7, true}, {"eacute", 0xE9, true}, {"ecirc", 0xEA, true}, {"egrave", 0xE8, true},
    {"empty", 0x2205, false}, {"emsp", 0x2003, false}, {"ensp", 0x2002, false}, {"epsilon", 0x3B5, false},
    {"equiv", 0x2261, false}, {"eta", 0x3B7, false}, {"eth", 0xF0, true}, {"euml", 0xEB, true},
    {"euro", 0x20AC, false}, {"exist", 0x2203, false}, {"fnof", 0x192, false}, {"forall", 0x2200, false},
    {"frac12", 0xBD, true}, {"frac14", 0xBC, true}, {"frac34", 0xBE, true}, {"frasl", 0x2044, false},
    {"gamma", 0x3B3, false}, {"ge", 0x2265, false}, {"gt", 0x3E, true}, {"hArr", 0x21D4, false},
    {"harr", 0x2194, false}, {"hearts", 0x2665, false}, {"hellip", 0x2026, false}, {"iacute", 0xED, true},
    {"icirc", 0xEE, true}, {"iexcl", 0xA1, true}, {"igrave", 0xEC, true}, {"image", 0x2111, false},
    {"infin", 0x221E, false}, {"int", 0x222B, false}, {"iota", 0x3B9, false}, {"iquest", 0xBF, true},
    {"isin", 0x2208, false}, {"iuml", 0xEF, true}, {"kappa", 0x3BA, false}, {"lArr", 0x21D0, false},
    {"lambda", 0x3BB, false}, {"lang", 0x27E8, false}, {"laquo", 0xAB, true}, {"larr", 0x2190, false},
    {"lceil", 0x2308, false}, {"ldquo", 0x201C, false}, {"le", 0x2264, false}, {"lfloor", 0x230A, false},
    {"lowast", 0x2217, false}, {"loz", 0x25CA, false}, {"lrm", 0x200E, false}, {"lsaquo", 0x2039, false},
    {"lsquo", 0x2018, false}, {"lt", 0x3C, true}, {"macr", 0xAF, true}, {"mdash", 0x2014, false},
    {"micro", 0xB5, true}, {"middot", 0xB7, true}, {"minus", 0x2212, false}, {"mu", 0x3BC, false},
    {"nabla", 0x2207, false}, {"nbsp", 0xA0, true}, {"ndash", 0x2013, false}, {"ne", 0x2260, false},
    {"ni", 0x220B, false}, {"not", 0xAC, true}, {"notin", 0x2209, false}, {"nsub", 0x2284, false},
    {"ntilde", 0xF1, true}, {"nu", 0x3BD, false}, {"oacute", 0xF3, true}, {"ocirc", 0xF4, true},
    {"oelig", 0x153, false}, {"ograve", 0xF2, true}, {"oline", 0x203E, false}, {"omega", 0x3C9, false},
    {"omicron", 0x3BF, false}, {"oplus", 0x2295, false}, {"or", 0x2228, false}, {"ordf", 0xAA, true},
    {"ordm", 0xBA, true}, {"oslash", 0xF8, true}, {"otilde", 0xF5, true}, {"otimes", 0x2297, false},
    {"ouml", 0xF6, true}, {"para", 0xB6, true}, {"part", 0x2202, false}, {"permil", 0x2030, false},
    {"perp", 0x22A5, false}, {"phi", 0x3C6, false}, {"pi", 0x3C0, false}, {"piv", 0x3D6, false},
    {"plusmn", 0xB1, true}, {"pound", 0xA3, true}, {"prime", 0x2032, false}, {"prod", 0x220F, false},
    {"prop", 0x221D, false}, {"psi", 0x3C8, false}, {"quot", 0x22, true}, {"rArr", 0x21D2, false},
    {"radic", 0x221A, false}, {"rang", 0x27E9, false}, {"raquo", 0xBB, true}, {"rarr", 0x2192, false},
    {"rceil", 0x2309, false}, {"rdquo", 0x201D, false}, {"real", 0x211C, false}, {"reg", 0xAE, true},
    {"rfloor", 0x230B, false}, {"rho", 0x3C1, false}, {"rlm", 0x200F, false}, {"rsaquo", 0x203A, false},
    {"rsquo", 0x2019, false}, {"sbquo", 0x201A, false}, {"scaron", 0x161, false}, {"sdot", 0x22C5, false},
    {"sect", 0xA7, true}, {"shy", 0xAD, true}, {"sigma", 0x3C3, false}, {"sigmaf", 0x3C2, false},
    {"sim", 0x223C, false}, {"spades", 0x2660, false}, {"sub", 0x2282, false}, {"sube", 0x2286, false},
    {"sum", 0x2211, false}, {"sup", 0x2283, false}, {"sup1", 0xB9, true}, {"sup2", 0xB2, true}, {"sup3", 0xB3, true},
    {"supe", 0x2287, false}, {"szlig", 0xDF, true}, {"tau", 0x3C4, false}, {"there4", 0x2234, false},
    {"theta", 0x3B8, false}, {"thetasym", 0x3D1, false}, {"thinsp", 0x2009, false}, {"thorn", 0xFE, true},
    {"tilde", 0x2DC, false}, {"times", 0xD7, true}, {"trade", 0x2122, false}, {"uArr", 0x21D1, false},
    {"uacute", 0xFA, true}, {"uarr", 0x2191, false}, {"ucirc", 0xFB, true}, {"ugrave", 0xF9, true},
    {"uml", 0xA8, true}, {"upsih", 0x3D2, false}, {"upsilon", 0x3C5, false}, {"uuml", 0xFC, true},
    {"weierp", 0x2118, false}, {"xi", 0x3BE, false}, {"yacute", 0xFD, true}, {"yen", 0xA5, true}, {"yuml", 0xFF, true},
    {"zeta", 0x3B6, false}, {"zwj", 0x200D, false}, {"zwnj", 0x200C, false},
};

const std::unordered_map<std::string, const NamedEntity*>& EntityTable() {
  static const auto* table = [] {
    auto* t = new std::unordered_map<std::string, const NamedEntity*>();
    for (const NamedEntity& e : kEntities) (*t)[e.name] = &e;
    return t;
  }();
  return *table;
}

// Python's _invalid_charrefs for 0x80..0x9F: the Windows-1252 reading of C1 controls.
constexpr char32_t kCp1252High[32] = {
    0x20AC, 0x81,   0x201A, 0x192,  0x201E, 0x2026, 0x2020, 0x2021, 0x2C6,  0x2030, 0x160,
    0x2039, 0x152,  0x8D,   0x17D,  0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x2DC,  0x2122, 0x161,  0x203A, 0x153,  0x9D,   0x17E,  0x178};

// Python's _invalid_codepoints: controls and non-characters, which a numeric reference deletes.
bool IsInvalidCodePoint(uint32_t c) {
  return (c >= 0x1 && c <= 0x8) || c == 0xB || (c >= 0xE && c <= 0x1F) || (c >= 0x7F && c <= 0x9F) ||
         (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
}

// Replacement for a numeric reference; `value` above 0x10FFFF means "too large".
void AppendNumericReplacement(uint32_t value, std::u32string* out) {
  if (value == 0) {
    out->push_back(kReplacementChar);
  } else if (value == 0xD) {
    out->push_back(0xD);
  } else if (value >= 0x80 && value <= 0x9F) {
    out->push_back(kCp1252High[value - 0x80]);
  } else if ((value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) {
    out->push_back(kReplacementChar);
  } else if (!IsInvalidCodePoint(value)) {
    out->push_back(value);
  }
}

int DigitValue(char32_t c, int base) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (base == 16 && c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  if (base == 16 && c >= 'A' && c <= 'F') return static_cast<int>(c - 'A' + 10);
  return -1;
}

// `#[0-9]+;?` or `#[xX][0-9a-fA-F]+;?` starting at s[pos] (just after '&'). Returns the characters consumed, 0 when
// there is no numeric reference there.
size_t ReplaceNumeric(const std::u32string& s, size_t pos, std::u32string* out) {
  const size_t n = s.size();
  size_t j = pos + 1;
  int base = 10;
  if (j < n && DigitValue(s[j], 10) >= 0) {
    base = 10;
  } else if (j + 1 < n && (s[j] == 'x' || s[j] == 'X') && DigitValue(s[j + 1], 16) >= 0) {
    base = 16;
    ++j;
  } else {
    return 0;
  }
  uint32_t value = 0;
  for (int d; j < n && (d = DigitValue(s[j], base)) >= 0; ++j) {
    // Python's int() is unbounded; anything past U+10FFFF maps to U+FFFD anyway, so saturate there.
    if (value <= 0x10FFFF) value = value * base + d;
  }
  if (j < n && s[j] == ';') ++j;
  AppendNumericReplacement(value, out);
  return j - pos;
}

bool IsNameChar(char32_t c) {  // [^\t\n\f <&#;]
  return c != '\t' && c != '\n' && c != '\f' && c != ' ' && c != '<' && c != '&' && c != '#' && c != ';';
}

// The ASCII spelling of s[begin, end), or "" when it holds a non-ASCII character (no entity name does).
std::string AsciiKey(const std::u32string& s, size_t begin, size_t end) {
  std::string key;
  for (size_t i = begin; i < end; ++i) {
    if (s[i] >= 0x80) return "";
    key.push_back(static_cast<char>(s[i]));
  }
  return key;
}

// `[^\t\n\f <&#;]{1,32};?` at s[pos]: the whole name if known (a legacy name may omit ';'), else its longest
// legacy prefix (of at least 2 characters) followed by the rest unchanged, else the text unchanged.
size_t ReplaceNamed(const std::u32string& s, size_t pos, std::u32string* out) {
  const size_t n = s.size();
  size_t end = pos;
  while (end < n && end - pos < 32 && IsNameChar(s[end])) ++end;
  if (end == pos) return 0;
  const bool semicolon = end < n && s[end] == ';';
  const size_t consumed = end - pos + (semicolon ? 1 : 0);
  const auto& table = EntityTable();
  auto it = table.find(AsciiKey(s, pos, end));
  if (it != table.end() && (semicolon || it->second->legacy)) {
    out->push_back(it->second->code_point);
    return consumed;
  }
  // Python tries s[:x] for x = len(s)-1 .. 2 where s includes the ';'; only legacy names can match a prefix.
  for (size_t x = consumed - 1; x >= 2; --x) {
    it = table.find(AsciiKey(s, pos, pos + x));
    if (it != table.end() && it->second->legacy) {
      out->push_back(it->second->code_point);
      out->append(s, pos + x, consumed - x);
      return consumed;
    }
  }
  out->push_back('&');
  out->append(s, pos, consumed);
  return consumed;
}

std::u32string HtmlUnescapeCodePoints(const std::u32string& s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '&' || i + 1 >= s.size()) {
      out.push_back(s[i++]);
      continue;
    }
    size_t consumed = s[i + 1] == '#' ? ReplaceNumeric(s, i + 1, &out) : ReplaceNamed(s, i + 1, &out);
    if (consumed == 0) {
      out.push_back('&');
      ++i;
    } else {
      i += 1 + consumed;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Whitespace.

// The `regex` module's \s: Unicode White_Space.
bool IsRegexSpace(char32_t c) {
  return (c >= 0x9 && c <= 0xD) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// Python's str.isspace(): White_Space plus the information separators U+001C..U+001F.
bool IsPythonSpace(char32_t c) { return IsRegexSpace(c) || (c >= 0x1C && c <= 0x1F); }

std::u32string PythonStrip(const std::u32string& s) {
  size_t begin = 0, end = s.size();
  while (begin < end && IsPythonSpace(s[begin])) ++begin;
  while (end > begin && IsPythonSpace(s[end - 1])) --end;
  return s.substr(begin, end - begin);
}

std::u32string CollapseWhitespace(const std::u32string& s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (!IsRegexSpace(s[i])) {
      out.push_back(s[i++]);
      continue;
    }
    out.push_back(' ');
    while (i < s.size() && IsRegexSpace(s[i])) ++i;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Pre-tokenisation.

// OpenAI's pattern, rewritten for lower-cased input without ICU's case-insensitive flag, because ICU and Python's
// `regex` module close character classes over case differently (verified over all code points):
//   * IGNORECASE in `regex` lets `s` also match U+017F (long s, itself lower-case): spelled out as [sſ]; every
//     other literal letter only pairs with its ASCII capital, which lower-cased text does not contain.
//   * Under IGNORECASE, `regex` matches U+0345 (combining ypogegrammeni, which case-folds to iota) with neither
//     [\p{L}] nor [^\s\p{L}\p{N}], so findall skips it like whitespace: excluded from the last class here.
//   * Without the flag ICU never applies full case folding (e.g. U+FB06 "ﬆ" matching "st"), which `regex` does not
//     do either.
constexpr char kPreTokenPattern[] =
    "<\\|[s\\u017f]tartoftext\\|>|<\\|endoftext\\|>|'[s\\u017f]|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]"
    "|[^\\p{White_Space}\\p{L}\\p{N}\\u0345]+";

const icu::RegexPattern& PreTokenPattern() {
  static const icu::RegexPattern* pattern = [] {
    UErrorCode status = U_ZERO_ERROR;
    UParseError parse_error;
    icu::RegexPattern* p =
        icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(kPreTokenPattern), 0, parse_error, status);
    if (U_FAILURE(status)) {  // A constant pattern: failing here is a build/ICU problem, not bad input.
      std::fprintf(stderr, "zegclip::clip: ICU cannot compile the pre-tokenisation regex: %s\n", u_errorName(status));
      std::abort();
    }
    return p;
  }();
  return *pattern;
}

}  // namespace

absl::Status CheckUtf8(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    const size_t len = WellFormedLength(text, i);
    if (len == 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("text is not valid UTF-8: ill-formed sequence at byte offset %d (byte 0x%02X)", i,
                          static_cast<uint8_t>(text[i])));
    }
    i += len;
  }
  return absl::OkStatus();
}

std::string HtmlUnescape(const std::string& utf8) {
  if (utf8.find('&') == std::string::npos) return utf8;
  return ToUtf8(HtmlUnescapeCodePoints(ToCodePoints(utf8)));
}

std::string CleanText(const std::string& utf8) {
  std::u32string text = ToCodePoints(utf8);
  // ftfy.fix_text(text) would come first (see the header comment).
  text = HtmlUnescapeCodePoints(HtmlUnescapeCodePoints(text));
  text = PythonStrip(CollapseWhitespace(PythonStrip(text)));
  // str.lower(): full Unicode lower-casing (SpecialCasing, final sigma); ICU's root locale matches Python's
  // str.lower() on every code point (checked exhaustively against CPython 3.11).
  icu::UnicodeString unicode =
      icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(text.data()), static_cast<int32_t>(text.size()));
  unicode.toLower(icu::Locale::getRoot());
  std::string out;
  unicode.toUTF8String(out);
  return out;
}

std::vector<std::string> PreTokenize(const std::string& cleaned_utf8) {
  std::vector<std::string> pieces;
  const icu::UnicodeString input = icu::UnicodeString::fromUTF8(cleaned_utf8);
  UErrorCode status = U_ZERO_ERROR;
  // RegexPattern is immutable and shareable; a RegexMatcher is per call (not thread-safe).
  std::unique_ptr<icu::RegexMatcher> matcher(PreTokenPattern().matcher(input, status));
  if (U_FAILURE(status)) return pieces;
  while (matcher->find(status) && U_SUCCESS(status)) {
    const int32_t begin = matcher->start(status);
    const int32_t end = matcher->end(status);
    std::string piece;
    input.tempSubStringBetween(begin, end).toUTF8String(piece);
    pieces.push_back(std::move(piece));
  }
  return pieces;
}

std::string DecodeUtf8Replacing(const std::string& bytes) {
  std::string out;
  out.reserve(bytes.size());
  const size_t n = bytes.size();
  for (size_t i = 0; i < n;) {
    const size_t len = WellFormedLength(bytes, i);
    if (len > 0) {
      out.append(bytes, i, len);
      i += len;
      continue;
    }
    // CPython replaces the maximal subpart: the longest prefix of a well-formed sequence (at least one byte).
    size_t skip = 1;
    while (i + skip < n && skip < 4) {
      std::string probe = bytes.substr(i, skip + 1);
      probe.append(4, static_cast<char>(0x80));  // pad with continuations: is the prefix still extendable?
      if (WellFormedLength(probe, 0) == 0) break;
      ++skip;
    }
    AppendUtf8(kReplacementChar, &out);
    i += skip;
  }
  return out;
}

}  // namespace zegclip::clip
