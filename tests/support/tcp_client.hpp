// SPDX-License-Identifier: MIT
// Raw TCP connections for the limit tests: from a chosen loopback source address (127.0.0.2,
// 127.0.0.3, … are all this host, but the server sees distinct clients), written to and read
// from byte by byte, so that idle, trickling and refused connections can be told apart.
#pragma once

#include "net/socket.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace meteremu::test {

/// A connection from `source` (empty: any address) to 127.0.0.1:`port`. Throws
/// std::runtime_error when it cannot connect.
UniqueFd ConnectFrom(const std::string& source, std::uint16_t port);

/// Writes all of `bytes`; false when the connection is broken.
bool SendAll(int fd, std::string_view bytes) noexcept;

/// Reads (and returns) what the server sends until it closes the connection or `timeout`
/// passes; `closed` tells which.
std::string ReadUntilClosed(int fd, std::chrono::milliseconds timeout, bool& closed);

/// True when the server closes the connection within `timeout`, sending nothing before.
bool ClosedSilently(int fd, std::chrono::milliseconds timeout);

/// One request on an open connection and its whole answer (a short one, with
/// Content-Length); empty when none came within `timeout`.
std::string Exchange(int fd, std::string_view request, std::chrono::milliseconds timeout);

/// "GET `path`" on a keep-alive connection.
std::string GetRequest(std::string_view path);

/// The status code of an HTTP answer ("HTTP/1.1 200 OK" gives 200); 0 when there is none.
int StatusOf(std::string_view answer);

} // namespace meteremu::test
