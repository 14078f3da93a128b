// SPDX-License-Identifier: MIT
// RFC 3986 percent-encoding, for values placed in a query string or a form body.
#pragma once

#include <string>
#include <string_view>

namespace meteremu {

/// `text` with everything but the unreserved characters (letters, digits, - . _ ~) as %XX.
std::string PercentEncode(std::string_view text);

} // namespace meteremu
