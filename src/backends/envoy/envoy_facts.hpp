// SPDX-License-Identifier: MIT
// What the Envoy poller tells the status page (SourceFacts, core/source_facts.hpp): set by the
// polling thread as it learns things, copied by the daemon's thread once a second. A mutex of
// its own, held for a copy: never one a frontend's request waits on.
#pragma once

#include "backends/envoy/envoy_error.hpp"
#include "backends/envoy/envoy_options.hpp"
#include "backends/envoy/meters.hpp"
#include "backends/envoy/token_keeper.hpp"
#include "core/source_facts.hpp"

#include <mutex>
#include <optional>
#include <string>

namespace meteremu::envoy {

class EnvoyFacts {
public:
    explicit EnvoyFacts(std::string address);

    void SetFirmware(std::string firmware);
    void SetCtSetup(std::string ct_setup);
    /// The token in use (`holder` masked already, see TokenHolder); nullopt expiry: none.
    void SetToken(std::string holder, std::optional<WallTime> expires);
    /// A problem that lasts since `since`; nullopt: since the ongoing problem's start, or now.
    void Failed(std::string problem, std::optional<WallTime> since, WallTime now);
    /// The ongoing problem, if any, ended at `now`.
    void Recovered(WallTime now);
    void Record(RequestResult result, Seconds duration);

    /// A copy. Thread-safe.
    SourceFacts Get() const;

private:
    mutable std::mutex mutex_;
    SourceFacts facts_;
};

/// How a request that threw `error` ended.
RequestResult ResultOf(const EnvoyError& error) noexcept;

/// "net-consumption CT, 3 phases", for the page; "" before /ivp/meters was read.
std::string CtSetupText(const MeterSetup& setup);

/// Who `token` belongs to, fit for the page: the Enlighten account it names (or the one it
/// was fetched with), masked; else where it comes from. Never the token itself.
std::string TokenHolder(const Token& token, const EnvoyOptions& options);

} // namespace meteremu::envoy
