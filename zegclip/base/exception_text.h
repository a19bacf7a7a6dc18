// An exception's message fit for one error line: LibTorch's c10::Error carries a C++ backtrace after its message
// (what()), which buries the cause when it is wrapped into an absl::Status naming a file or an iteration.
//
// Example:
//   catch (const std::exception& e) { return absl::DataLossError(path + ": " + ExceptionFirstLine(e)); }
#ifndef ZEGCLIP_BASE_EXCEPTION_TEXT_H_
#define ZEGCLIP_BASE_EXCEPTION_TEXT_H_

#include <exception>
#include <string>

namespace zegclip::base {

// The first line of the message, without the backtrace a c10::Error appends.
std::string ExceptionFirstLine(const std::exception& e);

}  // namespace zegclip::base

#endif  // ZEGCLIP_BASE_EXCEPTION_TEXT_H_
