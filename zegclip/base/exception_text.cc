#include "zegclip/base/exception_text.h"

#include <c10/util/Exception.h>

namespace zegclip::base {

std::string ExceptionFirstLine(const std::exception& e) {
  const c10::Error* c10_error = dynamic_cast<const c10::Error*>(&e);
  const std::string message = c10_error != nullptr ? c10_error->what_without_backtrace() : e.what();
  return message.substr(0, message.find('\n'));
}

}  // namespace zegclip::base
