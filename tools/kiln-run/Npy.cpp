//===- Npy.cpp - Minimal NumPy .npy reader and writer ---------------------===//
//
// Part of the kiln project: an ahead-of-time compiler from ONNX to native
// shared libraries.
//
//===----------------------------------------------------------------------===//
//
// Implementation of Npy.h. The header of a .npy file is a Python dict literal
// such as {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }; it is
// parsed by a small recursive-descent parser that accepts exactly the literal
// forms NumPy writes (strings, True/False, tuples of non-negative integers).
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "kiln-run assumes a little-endian host"
#endif

namespace kiln::npy {
namespace {

/// One supported dtype.
struct DTypeEntry {
  char kind;        // NumPy kind character: 'f', 'i', 'u', 'b'.
  size_t size;      // Bytes per element.
  int32_t elemType; // ONNX TensorProto.DataType.
  const char *descr;
};

constexpr DTypeEntry kDTypes[] = {
    {'f', 4, 1, "<f4"},  {'f', 8, 11, "<f8"}, {'f', 2, 10, "<f2"},
    {'i', 8, 7, "<i8"},  {'i', 4, 6, "<i4"},  {'i', 2, 5, "<i2"},
    {'i', 1, 3, "|i1"},  {'u', 8, 13, "<u8"}, {'u', 4, 12, "<u4"},
    {'u', 2, 4, "<u2"},  {'u', 1, 2, "|u1"},  {'b', 1, 9, "|b1"},
};

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

/// Recursive-descent parser over the header dict text.
class HeaderParser {
public:
  explicit HeaderParser(const std::string &text) : text(text) {}

  bool parse(std::string &descr, bool &fortranOrder,
             std::vector<int64_t> &shape, std::string &error) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    skipSpace();
    if (!consume('{'))
      return fail("header is not a dict", error);
    for (;;) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (!parseString(key))
        return fail("expected a quoted key", error);
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after key '" + key + "'", error);
      skipSpace();
      if (key == "descr") {
        if (haveDescr || !parseString(descr))
          return fail("'descr' must be a single string (structured dtypes "
                      "are not supported)",
                      error);
        haveDescr = true;
      } else if (key == "fortran_order") {
        if (haveOrder || !parseBool(fortranOrder))
          return fail("'fortran_order' must be True or False", error);
        haveOrder = true;
      } else if (key == "shape") {
        if (haveShape || !parseShape(shape))
          return fail("'shape' must be a tuple of non-negative integers",
                      error);
        haveShape = true;
      } else {
        return fail("unexpected key '" + key + "'", error);
      }
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume('}'))
        break;
      return fail("expected ',' or '}'", error);
    }
    skipSpace();
    if (pos != text.size())
      return fail("unexpected text after the dict", error);
    if (!haveDescr || !haveOrder || !haveShape)
      return fail("header lacks one of 'descr', 'fortran_order', 'shape'",
                  error);
    return true;
  }

private:
  const std::string &text;
  size_t pos = 0;

  static bool fail(const std::string &message, std::string &error) {
    error = "malformed header: " + message;
    return false;
  }
  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                 text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }
  bool consume(char c) {
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool consumeWord(const char *word) {
    size_t n = std::strlen(word);
    if (text.compare(pos, n, word) != 0)
      return false;
    pos += n;
    return true;
  }
  bool parseString(std::string &out) {
    if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
      return false;
    char quote = text[pos++];
    size_t end = text.find(quote, pos);
    if (end == std::string::npos)
      return false;
    out = text.substr(pos, end - pos);
    if (out.find('\\') != std::string::npos)
      return false;
    pos = end + 1;
    return true;
  }
  bool parseBool(bool &out) {
    if (consumeWord("True"))
      return out = true, true;
    if (consumeWord("False"))
      return out = false, true;
    return false;
  }
  bool parseInt(int64_t &out) {
    size_t start = pos;
    uint64_t value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      value = value * 10 + uint64_t(text[pos++] - '0');
      if (value > uint64_t(std::numeric_limits<int64_t>::max()))
        return false;
    }
    if (pos == start)
      return false;
    consume('L'); // Python 2 long suffix.
    out = int64_t(value);
    return true;
  }
  bool parseShape(std::vector<int64_t> &out) {
    out.clear();
    if (!consume('('))
      return false;
    skipSpace();
    if (consume(')'))
      return true;
    for (;;) {
      int64_t dim;
      skipSpace();
      if (!parseInt(dim))
        return false;
      out.push_back(dim);
      skipSpace();
      bool comma = consume(',');
      skipSpace();
      if (consume(')'))
        return out.size() > 1 || comma; // "(3)" is an int, not a tuple.
      if (!comma)
        return false;
    }
  }
};

const DTypeEntry *findDType(int32_t elemType) {
  for (const DTypeEntry &entry : kDTypes)
    if (entry.elemType == elemType)
      return &entry;
  return nullptr;
}

/// Maps a descr string such as "<f4" to a table entry or explains why not.
const DTypeEntry *parseDescr(const std::string &descr, std::string &error) {
  if (descr.size() < 3 || std::strchr("<>|=", descr[0]) == nullptr) {
    error = "unsupported dtype '" + descr + "'";
    return nullptr;
  }
  char kind = descr[1];
  size_t size = 0;
  for (size_t i = 2; i < descr.size(); ++i) {
    if (descr[i] < '0' || descr[i] > '9' || size > 1000) {
      error = "unsupported dtype '" + descr + "'";
      return nullptr;
    }
    size = size * 10 + size_t(descr[i] - '0');
  }
  for (const DTypeEntry &entry : kDTypes) {
    if (entry.kind != kind || entry.size != size)
      continue;
    if (descr[0] == '>' && size > 1) {
      error = "big-endian dtype '" + descr + "' is not supported";
      return nullptr;
    }
    return &entry;
  }
  error = "unsupported dtype '" + descr + "'";
  return nullptr;
}

/// Multiplies with overflow detection.
bool checkedMul(size_t a, size_t b, size_t &out) {
  if (a != 0 && b > std::numeric_limits<size_t>::max() / a)
    return false;
  out = a * b;
  return true;
}

} // namespace

size_t Array::numElements() const {
  size_t n = 1;
  for (int64_t dim : shape)
    n *= size_t(dim);
  return n;
}

const char *descrForElemType(int32_t elemType) {
  const DTypeEntry *entry = findDType(elemType);
  return entry ? entry->descr : nullptr;
}

size_t elemSize(int32_t elemType) {
  const DTypeEntry *entry = findDType(elemType);
  return entry ? entry->size : 0;
}

bool parse(const uint8_t *bytes, size_t size, Array &out, std::string &error) {
  if (size < kMagicSize + 4 || std::memcmp(bytes, kMagic, kMagicSize) != 0) {
    error = "not a .npy file (bad magic)";
    return false;
  }
  uint8_t major = bytes[6], minor = bytes[7];
  if (major < 1 || major > 3 || minor != 0) {
    error = "unsupported .npy format version " + std::to_string(major) + "." +
            std::to_string(minor);
    return false;
  }
  size_t prefix = major == 1 ? 10 : 12;
  if (size < prefix) {
    error = "truncated header";
    return false;
  }
  size_t headerLen = size_t(bytes[8]) | size_t(bytes[9]) << 8;
  if (major > 1)
    headerLen |= size_t(bytes[10]) << 16 | size_t(bytes[11]) << 24;
  if (headerLen > size - prefix) {
    error = "truncated header";
    return false;
  }
  std::string header(reinterpret_cast<const char *>(bytes + prefix),
                     headerLen);
  if (header.find('\0') != std::string::npos) {
    error = "malformed header: embedded NUL";
    return false;
  }

  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
  if (!HeaderParser(header).parse(descr, fortranOrder, shape, error))
    return false;
  const DTypeEntry *dtype = parseDescr(descr, error);
  if (!dtype)
    return false;
  if (fortranOrder) {
    error = "fortran_order arrays are not supported (save with C order, "
            "e.g. np.ascontiguousarray)";
    return false;
  }
  size_t count = 1, dataBytes = 0;
  for (int64_t dim : shape)
    if (!checkedMul(count, size_t(dim), count)) {
      error = "array size overflows";
      return false;
    }
  if (!checkedMul(count, dtype->size, dataBytes)) {
    error = "array size overflows";
    return false;
  }
  size_t available = size - prefix - headerLen;
  if (available < dataBytes) {
    error = "truncated data: expected " + std::to_string(dataBytes) +
            " bytes, found " + std::to_string(available);
    return false;
  }
  if (available > dataBytes) {
    error = std::to_string(available - dataBytes) +
            " unexpected trailing bytes after the array data";
    return false;
  }
  out.elemType = dtype->elemType;
  out.shape = std::move(shape);
  const uint8_t *data = bytes + prefix + headerLen;
  out.data.assign(data, data + dataBytes);
  return true;
}

bool readFile(const std::string &path, Array &out, std::string &error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                             std::istreambuf_iterator<char>());
  if (file.bad()) {
    error = path + ": read error";
    return false;
  }
  if (!parse(bytes.data(), bytes.size(), out, error)) {
    error = path + ": " + error;
    return false;
  }
  return true;
}

bool serialize(const Array &array, std::vector<uint8_t> &out,
               std::string &error) {
  const DTypeEntry *dtype = findDType(array.elemType);
  if (!dtype) {
    error = "element type " + std::to_string(array.elemType) +
            " cannot be stored in a .npy file";
    return false;
  }
  std::string header = "{'descr': '";
  header += dtype->descr;
  header += "', 'fortran_order': False, 'shape': (";
  size_t count = 1, dataBytes = 0;
  for (size_t i = 0; i < array.shape.size(); ++i) {
    if (array.shape[i] < 0 ||
        !checkedMul(count, size_t(array.shape[i]), count)) {
      error = "invalid shape";
      return false;
    }
    header += (i ? ", " : "") + std::to_string(array.shape[i]);
  }
  if (array.shape.size() == 1)
    header += ",";
  header += "), }";
  if (!checkedMul(count, dtype->size, dataBytes) ||
      dataBytes != array.data.size()) {
    error = "data size " + std::to_string(array.data.size()) +
            " does not match the shape (" + std::to_string(dataBytes) +
            " bytes expected)";
    return false;
  }
  // Pad with spaces and a final newline so the data starts 64-byte aligned.
  size_t prefix = 10;
  size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
  if (total - prefix > 0xffff) { // Needs the 4-byte length of version 2.0.
    prefix = 12;
    total = (prefix + header.size() + 1 + 63) / 64 * 64;
  }
  header.append(total - prefix - header.size() - 1, ' ');
  header += '\n';
  size_t headerLen = header.size();
  out.clear();
  out.reserve(total + dataBytes);
  out.insert(out.end(), kMagic, kMagic + kMagicSize);
  out.push_back(prefix == 10 ? 1 : 2);
  out.push_back(0);
  out.push_back(uint8_t(headerLen));
  out.push_back(uint8_t(headerLen >> 8));
  if (prefix == 12) {
    out.push_back(uint8_t(headerLen >> 16));
    out.push_back(uint8_t(headerLen >> 24));
  }
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), array.data.begin(), array.data.end());
  return true;
}

bool writeFile(const std::string &path, const Array &array,
               std::string &error) {
  std::vector<uint8_t> bytes;
  if (!serialize(array, bytes, error)) {
    error = path + ": " + error;
    return false;
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) {
    error = path + ": cannot open for writing: " + std::strerror(errno);
    return false;
  }
  file.write(reinterpret_cast<const char *>(bytes.data()),
             std::streamsize(bytes.size()));
  file.close();
  if (!file) {
    error = path + ": write error";
    return false;
  }
  return true;
}

} // namespace kiln::npy
