// SPDX-License-Identifier: MIT
// A real libcurl client for tests.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace meteremu::test {

struct HttpResult {
    long status = 0;                                          ///< 0 when no HTTP response arrived
    std::string error;                                        ///< curl's message when status is 0
    std::vector<std::pair<std::string, std::string>> headers; ///< in the order received
    std::string body;

    /// Value of the first header called `name` (any case).
    std::optional<std::string> Header(std::string_view name) const;
};

/// A GET from any local address, or from `source` (e.g. "127.0.0.2") when given.
HttpResult HttpGet(const std::string& url,
                   std::chrono::milliseconds timeout = std::chrono::seconds(5),
                   const std::string& source = "");
HttpResult HttpPost(const std::string& url, const std::string& body,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5));

} // namespace meteremu::test
