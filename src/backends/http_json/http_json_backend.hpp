// SPDX-License-Identifier: MIT
// Any meter that serves its reading as JSON over HTTP, polled on a PollLoop thread of its own.
#pragma once

#include "backends/backend.hpp"
#include "backends/http_json/http_json_options.hpp"

#include <memory>

namespace meteremu::http_json {

/// Throws std::runtime_error when password_file cannot be read.
std::unique_ptr<Backend> CreateHttpJsonBackend(const HttpJsonOptions& options,
                                               const BackendContext& context);

} // namespace meteremu::http_json
