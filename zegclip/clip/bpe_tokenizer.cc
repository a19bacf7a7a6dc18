// OpenAI CLIP's byte-level BPE tokenizer (see bpe_tokenizer.h).
#include "zegclip/clip/bpe_tokenizer.h"

#include <sys/stat.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "zegclip/clip/text_cleaning.h"

namespace zegclip::clip {
namespace {

constexpr char kStartOfText[] = "<|startoftext|>";
constexpr char kEndOfText[] = "<|endoftext|>";
constexpr char kEndOfWord[] = "</w>";

struct ByteTables {
  std::array<uint8_t, 256> order;       // vocabulary position -> byte
  std::array<std::string, 256> utf8;    // byte -> UTF-8 of its stand-in
  std::unordered_map<uint32_t, uint8_t> decoder;  // stand-in code point -> byte
};

void AppendCodePoint(uint32_t c, std::string* out) {  // only < U+0800 is needed for stand-ins
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// bytes_to_unicode(): printable Latin-1 bytes stand for themselves; the other 68 bytes, in increasing order, take
// U+0100, U+0101, ... so that no stand-in is whitespace or a control character.
const ByteTables& Tables() {
  static const ByteTables* tables = [] {
    auto* t = new ByteTables();
    std::array<bool, 256> printable{};
    int position = 0;
    for (int b = 0; b < 256; ++b) {
      printable[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      if (printable[b]) t->order[position++] = static_cast<uint8_t>(b);
    }
    int extra = 0;
    for (int b = 0; b < 256; ++b) {
      if (!printable[b]) t->order[position++] = static_cast<uint8_t>(b);
      const uint32_t code_point = printable[b] ? static_cast<uint32_t>(b) : 256 + extra++;
      AppendCodePoint(code_point, &t->utf8[b]);
      t->decoder[code_point] = static_cast<uint8_t>(b);
    }
    return t;
  }();
  return *tables;
}

// Raw bytes of a vocabulary string: every character is a stand-in ("</w>" and the specials are ASCII stand-ins for
// themselves). False if some character is not a stand-in.
bool StandInsToBytes(const std::string& token, std::string* bytes) {
  const auto& decoder = Tables().decoder;
  bytes->clear();
  for (size_t i = 0; i < token.size();) {
    const uint8_t b0 = static_cast<uint8_t>(token[i]);
    uint32_t c = b0;
    size_t len = 1;
    if (b0 >= 0xC0 && b0 < 0xE0 && i + 1 < token.size()) {
      c = ((b0 & 0x1Fu) << 6) | (static_cast<uint8_t>(token[i + 1]) & 0x3Fu);
      len = 2;
    } else if (b0 >= 0x80) {
      return false;
    }
    auto it = decoder.find(c);
    if (it == decoder.end()) return false;
    bytes->push_back(static_cast<char>(it->second));
    i += len;
  }
  return true;
}

uint64_t PairKey(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

struct MergeLine {
  std::string left, right;
  int64_t line_number;  // 1-based, for messages
};

// zlib reads gzip and, transparently, uncompressed files.
absl::StatusOr<std::string> ReadMaybeGzipped(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    return absl::NotFoundError(absl::StrFormat("BPE merges file '%s': cannot open (%s)", path, std::strerror(errno)));
  }
  if (S_ISDIR(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrFormat("BPE merges file '%s' is a directory, expected a file", path));
  }
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) {
    return absl::NotFoundError(absl::StrFormat("BPE merges file '%s': cannot open (%s)", path, std::strerror(errno)));
  }
  std::string content;
  std::vector<char> buffer(1 << 16);
  int n;
  while ((n = gzread(file, buffer.data(), static_cast<unsigned>(buffer.size()))) > 0) content.append(buffer.data(), n);
  int error_code = Z_OK;
  const std::string error = gzerror(file, &error_code);
  const int close_code = gzclose(file);
  if (n < 0 || error_code != Z_OK || close_code != Z_OK) {
    return absl::DataLossError(absl::StrFormat("BPE merges file '%s' is corrupt or truncated (zlib: %s)", path,
                                               error.empty() ? zError(close_code) : error));
  }
  return content;
}

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::vector<std::string> SplitFields(const std::string& line) {
  std::vector<std::string> fields;
  for (size_t i = 0; i < line.size();) {
    while (i < line.size() && IsAsciiSpace(line[i])) ++i;
    const size_t begin = i;
    while (i < line.size() && !IsAsciiSpace(line[i])) ++i;
    if (i > begin) fields.push_back(line.substr(begin, i - begin));
  }
  return fields;
}

// OpenAI: content.split('\n')[1 : max_merges + 1], each line split into exactly two symbols.
absl::StatusOr<std::vector<MergeLine>> ParseMergeLines(const std::string& path, const std::string& content,
                                                       int64_t max_merges) {
  if (content.empty()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("BPE merges file '%s' is empty, expected a header line then 'a b' merge lines", path));
  }
  if (absl::Status utf8 = CheckUtf8(content); !utf8.ok()) {
    return absl::InvalidArgumentError(absl::StrFormat("BPE merges file '%s': %s", path, utf8.message()));
  }
  std::vector<std::vector<std::string>> fields;
  size_t begin = content.find('\n');  // the header line is skipped
  while (begin != std::string::npos && static_cast<int64_t>(fields.size()) < max_merges) {
    const size_t end = content.find('\n', begin + 1);
    fields.push_back(SplitFields(content.substr(begin + 1, end == std::string::npos ? end : end - begin - 1)));
    begin = end;
  }
  while (!fields.empty() && fields.back().empty()) fields.pop_back();  // trailing blank lines
  std::vector<MergeLine> merges;
  merges.reserve(fields.size());
  for (size_t i = 0; i < fields.size(); ++i) {
    const int64_t line_number = static_cast<int64_t>(i) + 2;
    if (fields[i].size() != 2) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "BPE merges file '%s' line %d: expected two space-separated symbols ('a b'), found %d field(s)", path,
          line_number, fields[i].size()));
    }
    merges.push_back({fields[i][0], fields[i][1], line_number});
  }
  return merges;
}

}  // namespace

const std::array<uint8_t, 256>& ByteVocabularyOrder() { return Tables().order; }
const std::array<std::string, 256>& ByteToUnicode() { return Tables().utf8; }

struct BpeTokenizer::Vocabulary {
  struct MergeRule {
    int32_t rank;
    int32_t merged;  // token id of left + right
  };
  std::vector<std::string> tokens;       // id -> stand-in spelling
  std::vector<std::string> token_bytes;  // id -> raw bytes
  std::unordered_map<std::string, int32_t> encoder;  // spelling -> id; a repeated spelling keeps its last id
  std::unordered_map<uint64_t, MergeRule> merges;    // (left id, right id) -> rule; a repeated pair keeps its last rank
  std::array<int32_t, 256> byte_id{};      // byte -> id of its stand-in
  std::array<int32_t, 256> byte_end_id{};  // byte -> id of its stand-in + "</w>"
  int64_t num_merges = 0;
  int64_t sot = 0;
  int64_t eot = 0;

  absl::Status Build(const std::string& path, const std::vector<MergeLine>& merge_lines);
  std::vector<int32_t> Bpe(const std::string& piece) const;
};

struct BpeTokenizer::MergeCache {
  static constexpr size_t kMaxEntries = 1 << 18;  // bounded memory for open-ended text streams
  std::shared_mutex mutex;
  std::unordered_map<std::string, std::vector<int32_t>> entries;
};

absl::Status BpeTokenizer::Vocabulary::Build(const std::string& path, const std::vector<MergeLine>& merge_lines) {
  const ByteTables& tables = Tables();
  for (uint8_t b : tables.order) tokens.push_back(tables.utf8[b]);
  for (uint8_t b : tables.order) tokens.push_back(tables.utf8[b] + kEndOfWord);
  for (const MergeLine& m : merge_lines) tokens.push_back(m.left + m.right);
  tokens.push_back(kStartOfText);
  tokens.push_back(kEndOfText);
  for (size_t id = 0; id < tokens.size(); ++id) encoder[tokens[id]] = static_cast<int32_t>(id);
  // Python's bpe_ranks maps symbol pairs; ids are exact stand-ins because symbols are always vocabulary strings.
  for (size_t rank = 0; rank < merge_lines.size(); ++rank) {
    const MergeLine& m = merge_lines[rank];
    for (const std::string* symbol : {&m.left, &m.right}) {
      if (encoder.count(*symbol) == 0) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "BPE merges file '%s' line %d: symbol '%s' of merge '%s %s' is not a vocabulary token (expected byte "
            "stand-ins, optionally ending in </w>, that other merges build)",
            path, m.line_number, *symbol, m.left, m.right));
      }
    }
    merges[PairKey(encoder[m.left], encoder[m.right])] = {static_cast<int32_t>(rank), encoder[m.left + m.right]};
  }
  for (int b = 0; b < 256; ++b) {
    byte_id[b] = encoder[tables.utf8[b]];
    byte_end_id[b] = encoder[tables.utf8[b] + kEndOfWord];
  }
  token_bytes.resize(tokens.size());
  for (size_t id = 0; id < tokens.size(); ++id) StandInsToBytes(tokens[id], &token_bytes[id]);
  num_merges = static_cast<int64_t>(merge_lines.size());
  sot = encoder[kStartOfText];
  eot = encoder[kEndOfText];
  return absl::OkStatus();
}

// SimpleTokenizer.bpe on ids: repeatedly merge every occurrence (left to right) of the lowest-ranked adjacent pair.
std::vector<int32_t> BpeTokenizer::Vocabulary::Bpe(const std::string& piece) const {
  std::vector<int32_t> word(piece.size());
  for (size_t i = 0; i < piece.size(); ++i) {
    const uint8_t b = static_cast<uint8_t>(piece[i]);
    word[i] = i + 1 == piece.size() ? byte_end_id[b] : byte_id[b];
  }
  while (word.size() > 1) {
    const MergeRule* best = nullptr;
    int32_t left = 0, right = 0;
    for (size_t i = 0; i + 1 < word.size(); ++i) {
      auto it = merges.find(PairKey(word[i], word[i + 1]));
      if (it != merges.end() && (best == nullptr || it->second.rank < best->rank)) {
        best = &it->second;
        left = word[i];
        right = word[i + 1];
      }
    }
    if (best == nullptr) break;
    size_t out = 0;
    for (size_t i = 0; i < word.size();) {
      if (i + 1 < word.size() && word[i] == left && word[i + 1] == right) {
        word[out++] = best->merged;
        i += 2;
      } else {
        word[out++] = word[i++];
      }
    }
    word.resize(out);
  }
  return word;
}

BpeTokenizer::BpeTokenizer(std::shared_ptr<const Vocabulary> vocab, std::shared_ptr<MergeCache> cache)
    : vocab_(std::move(vocab)), cache_(std::move(cache)) {}

absl::StatusOr<BpeTokenizer> BpeTokenizer::Load(const BpeTokenizerOptions& options) {
  if (options.max_merges < 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("BpeTokenizerOptions.max_merges must be >= 0, got %d", options.max_merges));
  }
  absl::StatusOr<std::string> content = ReadMaybeGzipped(options.merges_path);
  if (!content.ok()) return content.status();
  absl::StatusOr<std::vector<MergeLine>> merges = ParseMergeLines(options.merges_path, *content, options.max_merges);
  if (!merges.ok()) return merges.status();
  auto vocab = std::make_shared<Vocabulary>();
  if (absl::Status built = vocab->Build(options.merges_path, *merges); !built.ok()) return built;
  return BpeTokenizer(std::move(vocab), std::make_shared<MergeCache>());
}

void BpeTokenizer::AppendPieceIds(const std::string& piece, std::vector<int64_t>* ids) const {
  // OpenAI's cache is seeded with the two specials, which therefore bypass BPE.
  if (piece == kStartOfText || piece == kEndOfText) {
    ids->push_back(piece == kStartOfText ? vocab_->sot : vocab_->eot);
    return;
  }
  {
    std::shared_lock<std::shared_mutex> lock(cache_->mutex);
    auto it = cache_->entries.find(piece);
    if (it != cache_->entries.end()) {
      ids->insert(ids->end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int32_t> word = vocab_->Bpe(piece);
  ids->insert(ids->end(), word.begin(), word.end());
  std::unique_lock<std::shared_mutex> lock(cache_->mutex);
  if (cache_->entries.size() < MergeCache::kMaxEntries) cache_->entries.emplace(piece, std::move(word));
}

absl::StatusOr<std::vector<int64_t>> BpeTokenizer::Encode(const std::string& utf8) const {
  if (absl::Status valid = CheckUtf8(utf8); !valid.ok()) return valid;
  std::vector<int64_t> ids;
  for (const std::string& piece : PreTokenize(CleanText(utf8))) AppendPieceIds(piece, &ids);
  return ids;
}

std::string BpeTokenizer::Decode(const std::vector<int64_t>& ids) const {
  std::string bytes;
  for (int64_t id : ids) {
    if (id >= 0 && id < vocab_size()) {
      bytes += vocab_->token_bytes[id];
    } else {
      bytes += "\xEF\xBF\xBD";  // U+FFFD
    }
  }
  return absl::StrReplaceAll(DecodeUtf8Replacing(bytes), {{kEndOfWord, " "}});
}

namespace {

// The text for an error message: at most ~200 bytes, cut at a character boundary.
std::string Abbreviate(const std::string& text) {
  constexpr size_t kMax = 200;
  if (text.size() <= kMax) return text;
  size_t cut = kMax;
  while (cut > 0 && (static_cast<uint8_t>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

}  // namespace

absl::StatusOr<at::Tensor> BpeTokenizer::Tokenize(const std::vector<std::string>& texts, int64_t context_length,
                                                  bool truncate) const {
  if (context_length < 2) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "context_length must be >= 2 (room for <|startoftext|> and <|endoftext|>), got %d", context_length));
  }
  if (context_length > kMaxContextLength) {
    return absl::InvalidArgumentError(absl::StrFormat("context_length %d is above the limit of %d (OpenAI's CLIP: 77)",
                                                      context_length, kMaxContextLength));
  }
  at::Tensor result = at::zeros({static_cast<int64_t>(texts.size()), context_length}, at::kLong);
  auto rows = result.accessor<int64_t, 2>();
  for (size_t i = 0; i < texts.size(); ++i) {
    absl::StatusOr<std::vector<int64_t>> ids = Encode(texts[i]);
    if (!ids.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat("text %d: %s", i, ids.status().message()));
    }
    const int64_t length = static_cast<int64_t>(ids->size()) + 2;
    if (length > context_length && !truncate) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "Input \"%s\" (text %d) is too long for context length %d: it needs %d tokens with <|startoftext|> and "
          "<|endoftext|> (pass truncate=true to cut it)",
          Abbreviate(texts[i]), i, context_length, length));
    }
    rows[i][0] = vocab_->sot;
    const int64_t kept = std::min<int64_t>(static_cast<int64_t>(ids->size()), context_length - 2);
    for (int64_t j = 0; j < kept; ++j) rows[i][j + 1] = (*ids)[j];
    // OpenAI's truncate keeps context_length tokens and overwrites the last with eot.
    rows[i][std::min(length, context_length) - 1] = vocab_->eot;
  }
  return result;
}

int64_t BpeTokenizer::sot_id() const { return vocab_->sot; }
int64_t BpeTokenizer::eot_id() const { return vocab_->eot; }
int64_t BpeTokenizer::vocab_size() const { return static_cast<int64_t>(vocab_->tokens.size()); }
int64_t BpeTokenizer::num_merges() const { return vocab_->num_merges; }

const std::string& BpeTokenizer::token(int64_t id) const {
  static const std::string* const kEmpty = new std::string();
  return id >= 0 && id < vocab_size() ? vocab_->tokens[id] : *kEmpty;
}

}  // namespace zegclip::clip
