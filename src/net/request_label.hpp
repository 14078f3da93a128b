// SPDX-License-Identifier: MIT
// What one request asked and what it got, in two bytes, for the counters of /metrics and the
// clients table of the status page (docs/status.md): the servers label every request they
// see, with the method the protocol named (RequestLabel::method) and the outcome.
//
// Method names come from the frontends, which name only what they know (an RPC method they
// implement, a path they serve); anything else is "other". They are kept in one table for the
// whole process, of at most kMethodCapacity names, so the series of /metrics stay bounded
// whatever a client sends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace meteremu {

enum class RequestOutcome : std::uint8_t {
    Answered,    ///< a reply with what was asked
    Withheld,    ///< no reading may be served now (stale under on_stale = "silent", none yet)
    NoNewSample, ///< the sample gate dropped it, or gave up holding it
    RateLimited, ///< past a reply budget
    Refused,     ///< from a client `allow` does not allow
    Failed,      ///< malformed, unknown, too large, or no reply could be made
};
inline constexpr std::size_t kRequestOutcomes = 6;

/// "answered", "withheld", "no_new_sample", "rate_limited", "refused", "failed".
std::string_view OutcomeName(RequestOutcome outcome) noexcept;

/// A method's place in the process's table of method names.
using MethodId = std::uint8_t;
/// A request refused before it was read (allow, budgets): no method is known.
inline constexpr MethodId kUnreadMethod = 0;
/// A method no frontend serves, or one past the table's capacity.
inline constexpr MethodId kOtherMethod = 1;
inline constexpr std::size_t kMethodCapacity = 64;

/// The id of `name`, a method or path a frontend serves ("EM.GetStatus", "/status"); added
/// to the table when new, kOtherMethod when the table is full or `name` is empty or longer
/// than kMaxMethodName. Thread-safe; lock-free for names already known.
MethodId MethodIdOf(std::string_view name) noexcept;
/// The name of `id`: "-" for kUnreadMethod, "other" for kOtherMethod.
std::string_view MethodName(MethodId id) noexcept;
inline constexpr std::size_t kMaxMethodName = 40;

struct RequestLabel {
    MethodId method = kOtherMethod;
    RequestOutcome outcome = RequestOutcome::Answered;
};

} // namespace meteremu
