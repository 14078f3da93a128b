// SPDX-License-Identifier: MIT
// Ownership of jansson values: JsonPtr holds one reference and drops it with json_decref.
#pragma once

#include <jansson.h>

#include <cstdlib>
#include <memory>

namespace meteremu {

struct JsonDeleter {
    void operator()(json_t* value) const noexcept { json_decref(value); }
};
using JsonPtr = std::unique_ptr<json_t, JsonDeleter>;

/// For strings jansson allocates with malloc (json_dumps).
struct FreeDeleter {
    void operator()(char* text) const noexcept { std::free(text); }
};
using JsonText = std::unique_ptr<char, FreeDeleter>;

} // namespace meteremu
