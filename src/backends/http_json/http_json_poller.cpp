// SPDX-License-Identifier: MIT
#include "backends/http_json/http_json_poller.hpp"

#include "platform/log.hpp"
#include "util/atomic_file.hpp"
#include "util/percent_encode.hpp"
#include "util/time_format.hpp"

#include <cctype>
#include <cmath>

namespace meteremu::http_json {
namespace {

constexpr log::Domain kDomain{"http_json"};
/// A meter answers a few KiB (a Shelly Gen1 /status about 2); a LAN peer sending more is
/// cut off here.
constexpr std::size_t kMaxBodyBytes = 256 * 1024;
constexpr Seconds kConnectTimeout{3.0};
constexpr Seconds kRequestTimeout{5.0};
/// Failures after which the wait grows, and how long it may grow.
constexpr unsigned kRetriesAtPollInterval = 3;
constexpr Seconds kMaxRetryWait{10.0};
constexpr Seconds kEnergySaveInterval{60.0};

std::string ReadPassword(const HttpJsonOptions& options) {
    if (options.password_file.empty()) return options.password;
    std::optional<std::string> content;
    try {
        content = ReadSmallFile(options.password_file);
    } catch (const std::exception&) {
    }
    if (!content) throw std::runtime_error("cannot read password_file " + options.password_file);
    while (!content->empty() && (content->back() == '\n' || content->back() == '\r'))
        content->pop_back();
    return *content;
}

HttpClientOptions ClientOptions() {
    HttpClientOptions options;
    options.connect_timeout = kConnectTimeout;
    options.max_body_bytes = kMaxBodyBytes;
    return options;
}

} // namespace

std::string_view FailureName(Failure failure) noexcept {
    switch (failure) {
    case Failure::Unreachable:
        return "unreachable";
    case Failure::AuthRefused:
        return "auth refused";
    case Failure::HttpStatus:
        return "HTTP error";
    case Failure::Unparsable:
        return "unparsable payload";
    case Failure::MissingField:
        return "missing field";
    }
    return "failing";
}

HttpJsonPoller::HttpJsonPoller(const HttpJsonOptions& options, MeterState& state,
                               Seconds poll_interval, const std::filesystem::path& state_directory)
    : options_(options), request_url_(options.url), state_(state), poll_interval_(poll_interval),
      client_(ClientOptions()), failure_log_(kDomain) {
    if (!options.username.empty()) {
        std::string password = ReadPassword(options);
        if (options.login_in_query)
            request_url_ +=
                "&user=" + PercentEncode(options.username) + "&password=" + PercentEncode(password);
        else if (options.digest)
            client_.SetDigestLogin(options.username, std::move(password));
        else
            client_.SetBasicLogin(options.username, std::move(password));
    }
    if (HasEnergy(options.map)) return;
    Seconds max_gap = std::max(Seconds(10), 5 * poll_interval);
    energy_ = std::make_unique<EnergyCounter>(state_directory / "http_json-energy.json", max_gap);
    try {
        energy_->Load(options.url);
    } catch (const std::exception& error) {
        log::Warning(kDomain,
                     "cannot load the saved energy counters, starting from 0: ", error.what());
    }
}

Seconds HttpJsonPoller::Poll(std::stop_token stop) {
    ClientRequest request;
    request.url = request_url_;
    request.timeout = kRequestTimeout;
    ClientResponse response;
    try {
        response = client_.Perform(request, stop);
    } catch (const TransportError& error) {
        if (error.Failure() == TransportFailure::Cancelled) return Seconds(0);
        return Fail(Failure::Unreachable,
                    "cannot reach " + options_.url + ": " + error.what() + "; retrying");
    }
    if (response.status == 401 || response.status == 403)
        return Fail(Failure::AuthRefused, "auth refused by " + options_.url + " (HTTP " +
                                              std::to_string(response.status) +
                                              "): check username and password; retrying");
    if (response.status < 200 || response.status > 299)
        return Fail(Failure::HttpStatus,
                    options_.url + " answers HTTP " + std::to_string(response.status) +
                        (response.status == 404 ? " (check the preset or url)" : "") +
                        "; retrying");
    try {
        Publish(MapPayload(response.body, options_.map));
    } catch (const PayloadError& error) {
        bool missing = error.GetKind() == PayloadError::Kind::MissingField;
        return Fail(missing ? Failure::MissingField : Failure::Unparsable,
                    std::string(missing ? "missing field" : "unparsable payload") + " from " +
                        options_.url + ": " + error.what() + "; sample discarded");
    }
    return poll_interval_;
}

/// The first failure of a run is a warning, and so is a change of kind; repeats are debug.
Seconds HttpJsonPoller::Fail(Failure failure, const std::string& message) {
    bool continuing = failure_log_.Failing();
    failure_log_.Failed(message);
    if (continuing && last_failure_ != failure) log::Warning(kDomain, message);
    last_failure_ = failure;
    ++failures_;
    Seconds wait = poll_interval_;
    if (failures_ > kRetriesAtPollInterval)
        wait = std::min(kMaxRetryWait,
                        poll_interval_ * std::pow(2.0, failures_ - kRetriesAtPollInterval));
    wait = std::max(wait, poll_interval_);
    long seconds = std::lround(std::ceil(wait.count()));
    SetHealth("http_json " + std::string(FailureName(failure)) + " since " +
              FormatTime(failure_log_.Since(), "%H:%M", true) + ", retrying every " +
              std::to_string(seconds) + " s");
    return wait;
}

/// The reading goes out before the counters are saved: the save syncs a file.
void HttpJsonPoller::Publish(Reading reading) {
    reading.measured_at = std::chrono::system_clock::now();
    reading.received_at = std::chrono::steady_clock::now();
    if (energy_) energy_->Add(reading, reading.received_at);
    state_.Publish(reading);
    failure_log_.Recovered("readings from " + options_.url + " are back");
    last_failure_.reset();
    failures_ = 0;
    SetHealth("http_json ok");
    if (energy_) SaveEnergy(reading.received_at, kEnergySaveInterval);
}

void HttpJsonPoller::SaveEnergy(SteadyTime now, Seconds interval) noexcept {
    if (auto error = energy_->TrySaveIfDue(now, interval))
        log::Warning(kDomain, "cannot save the energy counters: ", *error);
}

void HttpJsonPoller::Shutdown() noexcept {
    if (energy_) SaveEnergy(std::chrono::steady_clock::now(), Seconds(0));
}

void HttpJsonPoller::SetHealth(std::string text) {
    std::lock_guard lock(health_mutex_);
    health_ = std::move(text);
}

std::string HttpJsonPoller::Health() const {
    std::lock_guard lock(health_mutex_);
    return health_;
}

} // namespace meteremu::http_json
