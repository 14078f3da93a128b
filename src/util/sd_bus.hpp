// SPDX-License-Identifier: MIT
// Owners of sd-bus handles: each releases its handle with sd-bus' own function.
#pragma once

#include <systemd/sd-bus.h>

#include <memory>

namespace meteremu {

struct SdBusCloser {
    /// Closes without flushing: a stop never waits for a bus that does not read.
    void operator()(sd_bus* bus) const noexcept { sd_bus_close_unref(bus); }
};
using SdBusPtr = std::unique_ptr<sd_bus, SdBusCloser>;

struct SdBusSlotUnref {
    void operator()(sd_bus_slot* slot) const noexcept { sd_bus_slot_unref(slot); }
};
using SdBusSlotPtr = std::unique_ptr<sd_bus_slot, SdBusSlotUnref>;

struct SdBusMessageUnref {
    void operator()(sd_bus_message* message) const noexcept { sd_bus_message_unref(message); }
};
using SdBusMessagePtr = std::unique_ptr<sd_bus_message, SdBusMessageUnref>;

/// An sd_bus_error that frees itself.
class SdBusError {
public:
    SdBusError() = default;
    ~SdBusError() { sd_bus_error_free(&error_); }
    SdBusError(const SdBusError&) = delete;
    SdBusError& operator=(const SdBusError&) = delete;

    sd_bus_error* Get() noexcept { return &error_; }
    bool IsSet() const noexcept { return sd_bus_error_is_set(&error_) != 0; }
    bool Is(const char* name) const noexcept { return sd_bus_error_has_name(&error_, name) != 0; }
    const char* Message() const noexcept { return error_.message ? error_.message : ""; }

private:
    sd_bus_error error_{nullptr, nullptr, 0}; // SD_BUS_ERROR_NULL, without its C99 literal
};

} // namespace meteremu
