// SPDX-License-Identifier: MIT
// One poll of an HTTP JSON source: fetch the URL, map the payload, publish the reading, and
// when it fails say so once per kind of failure and back off a little
// (docs/protocols/http_json.md#failures). Runs on the backend's PollLoop thread; Health() is
// read from any thread.
#pragma once

#include "backends/energy_counter.hpp"
#include "backends/http_json/http_json_options.hpp"
#include "core/meter_state.hpp"
#include "net/http_client.hpp"
#include "platform/failure_log.hpp"

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

namespace meteremu::http_json {

enum class Failure {
    Unreachable,  ///< no HTTP answer: refused, timeout, reset, too large
    AuthRefused,  ///< 401 or 403: the login is wrong or missing
    HttpStatus,   ///< any other status than 2xx
    Unparsable,   ///< not JSON, or a value out of range
    MissingField, ///< a configured field holds no number
};

/// "unreachable", "auth refused", ... for logs and the status line.
std::string_view FailureName(Failure failure) noexcept;

class HttpJsonPoller {
public:
    /// Reads password_file. Throws std::runtime_error (naming the file, not its content).
    HttpJsonPoller(const HttpJsonOptions& options, MeterState& state, Seconds poll_interval,
                   const std::filesystem::path& state_directory);

    /// One request; returns the wait before the next.
    Seconds Poll(std::stop_token stop);
    /// Saves integrated energy counters, if any.
    void Shutdown() noexcept;
    /// For the STATUS line. Thread-safe.
    std::string Health() const;

private:
    Seconds Fail(Failure failure, const std::string& message);
    void Publish(Reading reading);
    void SetHealth(std::string text);
    /// Saves the counters when `interval` passed (0: now); a failure is one warning per run.
    void SaveEnergy(SteadyTime now, Seconds interval) noexcept;

    const HttpJsonOptions& options_;
    /// options_.url, plus the login for a Tasmota with one: a secret, never in a message.
    std::string request_url_;
    MeterState& state_;
    Seconds poll_interval_;
    HttpClient client_;
    std::unique_ptr<EnergyCounter> energy_;
    log::FailureLog failure_log_;
    std::optional<Failure> last_failure_;
    unsigned failures_ = 0;
    mutable std::mutex health_mutex_;
    std::string health_ = "http_json: connecting";
};

} // namespace meteremu::http_json
