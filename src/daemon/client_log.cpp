// SPDX-License-Identifier: MIT
#include "daemon/client_log.hpp"

#include "platform/log.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace meteremu {
namespace {

constexpr log::Domain kDomain{"clients"};

std::string Via(const ClientVia& via) {
    std::string text(TransportName(via.transport));
    if (via.port != 0) text += " port " + std::to_string(via.port);
    return text;
}

/// ": EM.GetStatus, answered", ": refused by allow" (nothing was read, so no method).
std::string Got(const RequestLabel& label) {
    std::string text = ": ";
    if (label.method != kUnreadMethod) text += std::string(MethodName(label.method)) + ", ";
    switch (label.outcome) {
    case RequestOutcome::Answered:
        return text + "answered";
    case RequestOutcome::Withheld:
        return text + "withheld (the reading is stale)";
    case RequestOutcome::NoNewSample:
        return text + "held back (no new reading yet)";
    case RequestOutcome::RateLimited:
        return text + "rate-limited";
    case RequestOutcome::Refused:
        return text + "refused by allow";
    case RequestOutcome::Failed:
        return text + "failed";
    }
    return text;
}

std::string SecondsText(Seconds seconds) {
    char text[32];
    std::snprintf(text, sizeof text, seconds.count() < 10 ? "%.1f s" : "%.0f s", seconds.count());
    return text;
}

} // namespace

std::string ClientLog::Describe(const ClientEvent& event, SteadyTime now) {
    std::string client = "client " + event.address.ToString();
    switch (event.kind) {
    case ClientEvent::Kind::FirstPoll:
        return client + " polls for the first time, over " + Via(event.via) + Got(event.label);
    case ClientEvent::Kind::WentQuiet:
        return client + " went quiet: it polled every " + SecondsText(event.interval) + " over " +
               Via(event.via) + ", last " + SecondsText(now - event.last_seen) + " ago";
    case ClientEvent::Kind::Back:
        return client + " polls again, over " + Via(event.via) + Got(event.label);
    }
    return client;
}

void ClientLog::Report(std::span<const ClientEvent> events, SteadyTime now) {
    if (now - minute_start_ >= std::chrono::minutes(1)) {
        if (left_out_ > 0)
            log::Notice(kDomain, left_out_, " more client line", left_out_ == 1 ? "" : "s",
                        " left out (more than ", kPerMinute, " a minute)");
        minute_start_ = now;
        logged_ = 0;
        left_out_ = 0;
    }
    for (const ClientEvent& event : events) {
        if (logged_ == kPerMinute) {
            ++left_out_;
            continue;
        }
        ++logged_;
        log::Notice(kDomain, Describe(event, now));
    }
}

} // namespace meteremu
