// SPDX-License-Identifier: MIT
#include "frontends/ct002/ct002_frontend.hpp"

#include "config/config_section.hpp"
#include "frontends/ct002/battery_table.hpp"
#include "frontends/ct002/ct002_frame.hpp"
#include "frontends/ct002/meter_memory.hpp"
#include "net/udp_server.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <span>

namespace meteremu {
namespace {

using namespace ct002;

constexpr std::array<std::uint16_t, 1> kCt002Ports{12345};

/// W as a frame field: the battery reads 16 bits per phase.
std::int32_t PhaseWatts(double watts) noexcept {
    return static_cast<std::int32_t>(std::clamp(std::lround(watts), -32768L, 32767L));
}

class Ct002Frontend final : public Frontend {
public:
    Ct002Frontend(const Ct002Options& options, const FrontendContext& context)
        : state_(context.state), ct_type_(options.ct_type) {
        for (const MacAddress& mac : options.ct_macs) {
            ct_macs_.push_back(MacHex(mac, false));
            ct_keys_.push_back(MacKey(ct_macs_.back()));
        }
    }

    std::string Describe() const override {
        std::string model = ct_type_ == "HME-3" ? "CT003" : "CT002";
        std::string macs;
        for (const std::string& mac : ct_macs_)
            macs += (macs.empty() ? "" : ", ") + mac;
        return "Marstek " + model + " " + (macs.empty() ? "answering every CT MAC" : macs);
    }

    /// The reply to `request` in `out`, or none: a poll for another meter, or nothing to
    /// serve (on_stale = "silent"). Notes the battery with its meter in `memories` first.
    DatagramAnswer Answer(const Request& request, MeterMemories& memories, std::string& out) const {
        static const MethodId poll = MethodIdOf(kPollMethod); // the table is the process's
        std::optional<std::size_t> meter = MeterAsked(request.ct_mac);
        if (!meter) return {std::nullopt, {poll, RequestOutcome::Failed}};
        MeterMemory& memory = memories.Of(ct_macs_.empty() ? 0 : ct_keys_[*meter]);
        auto now = std::chrono::steady_clock::now();
        memory.batteries.Record(request, now);
        MeterView view = state_.View(now);
        if (!view.reading) return {std::nullopt, {poll, RequestOutcome::Withheld}};
        Reply reply{ct_type_,
                    ct_macs_.empty() ? request.ct_mac : std::string_view(ct_macs_[*meter]),
                    request.battery_type, request.battery_mac};
        FillGrid(reply, *view.reading);
        FillBatteries(reply, memory.batteries.Totals(now));
        reply.index = ++memory.index;
        BuildReply(out, reply);
        return {DatagramReply{out, true, view.sample}, {poll, RequestOutcome::Answered}};
    }

    /// The one request a CT002 knows, as the client tracker names it.
    static constexpr std::string_view kPollMethod = "CT poll";

private:
    /// Which of the meters a poll asks for; a poll for any meter gets the first.
    std::optional<std::size_t> MeterAsked(std::string_view asked) const noexcept {
        if (ct_macs_.empty() || asked.empty() || asked == kAnyMeter) return 0;
        auto found = std::ranges::find(ct_keys_, MacKey(asked));
        if (found == ct_keys_.end()) return std::nullopt;
        return static_cast<std::size_t>(found - ct_keys_.begin());
    }

    static void FillGrid(Reply& reply, const Reading& reading) noexcept {
        std::int64_t total = 0;
        for (std::size_t i = 0; i < 3; ++i) {
            reply.grid[i] = PhaseWatts(reading.phases[i].act_power);
            total += reply.grid[i];
        }
        reply.grid_total = static_cast<std::int32_t>(total);
    }

    static void FillBatteries(Reply& reply, const BucketTotals& totals) noexcept {
        // The reply counts buckets A, B, C and ABC; bucket x (detecting) has no count.
        std::copy(totals.counts.begin() + 1, totals.counts.end(), reply.counts.begin());
        reply.charging = totals.charging;
        reply.discharging = totals.discharging;
    }

    const MeterState& state_;
    std::string ct_type_;
    std::vector<std::string> ct_macs_; ///< lower-case hex; empty: one meter for any MAC
    std::vector<std::uint64_t> ct_keys_;
};

/// Survives reloads (the bundle keeps it): each meter's batteries and reply index stay.
class Ct002DatagramHandler final : public DatagramHandler {
public:
    explicit Ct002DatagramHandler(FrontendSource& frontends) : frontends_(frontends) {}

    DatagramAnswer Handle(std::string_view datagram) noexcept override try {
        auto request = ParseRequest(datagram);
        if (!request) return kUnanswered; // as a real meter: silence
        std::shared_ptr<Frontend> frontend = frontends_.CurrentFrontend();
        const auto* meter = dynamic_cast<const Ct002Frontend*>(frontend.get());
        if (!meter) return kUnanswered;
        DatagramAnswer answer = meter->Answer(*request, memories_, reply_);
        ShareWithStatusPage();
        return answer;
    } catch (...) {
        return kUnanswered; // out of memory: a lost datagram, as on a busy network
    }

    std::string StatusJson(SteadyTime now) const override {
        std::lock_guard lock(shared_mutex_);
        return MetersStatusJson(shared_.Used(), now);
    }

private:
    static constexpr DatagramAnswer kUnanswered{std::nullopt,
                                                {kOtherMethod, RequestOutcome::Failed}};

    /// Brings the status page's copy up to date, unless the page is reading it right now:
    /// a poll never waits for the page. A poll that finds it busy leaves the whole copy to the
    /// next one.
    void ShareWithStatusPage() noexcept {
        std::unique_lock lock(shared_mutex_, std::try_to_lock);
        if (!lock) {
            shared_behind_ = true;
            return;
        }
        try {
            if (std::exchange(shared_behind_, false))
                shared_ = memories_;
            else
                shared_.Follow(memories_);
        } catch (...) {
            shared_behind_ = true; // out of memory (a long battery type): the next poll tries
        }
    }

    FrontendSource& frontends_;
    // The UDP server calls Handle one datagram at a time: the memories are its thread's.
    MeterMemories memories_;
    std::string reply_;
    mutable std::mutex shared_mutex_; ///< the page's copy: the page waits, a poll never does
    MeterMemories shared_;
    bool shared_behind_ = false; ///< the UDP thread's
};

/// `ct_mac`: one MAC, "" (any meter), or a list of distinct MACs.
void ParseCtMacs(ConfigSection& section, Ct002Options& options) {
    auto texts = section.StringOrStrings("ct_mac");
    if (!texts || (texts->size() == 1 && texts->front().empty())) return;
    if (texts->size() > Ct002Options::kMaxMeters)
        section.ErrorAt("ct_mac", "expected at most " + std::to_string(Ct002Options::kMaxMeters) +
                                      " meters on one port, got " + std::to_string(texts->size()));
    for (std::size_t i = 0; i < texts->size() && i < Ct002Options::kMaxMeters; ++i) {
        auto mac = ParseMacAddress((*texts)[i]);
        bool fine = mac && MacHex(*mac, false) != kAnyMeter &&
                    std::ranges::find(options.ct_macs, *mac) == options.ct_macs.end();
        if (fine) {
            options.ct_macs.push_back(*mac);
            continue;
        }
        std::string expectation =
            "expected the 12 hexadecimal digits of the meter in the Marstek app, such as "
            "\"02b250a1b2c3\", each meter once, or \"\" to answer polls for any meter";
        if (texts->size() == 1)
            section.ErrorAt("ct_mac", expectation);
        else
            section.ErrorAtElement("ct_mac", i, expectation);
    }
}

std::unique_ptr<FrontendOptions> ParseCt002(ConfigSection& section) {
    auto options = std::make_unique<Ct002Options>();
    if (auto type = section.String("ct_type")) {
        if (*type == "HME-4" || *type == "HME-3")
            options->ct_type = *type;
        else
            section.ErrorAt("ct_type", "expected \"HME-4\" (CT002) or \"HME-3\" (CT003), the "
                                       "type chosen in the Marstek app");
    }
    ParseCtMacs(section, *options);
    return options;
}

std::unique_ptr<Frontend> CreateCt002(const FrontendOptions& options,
                                      const FrontendContext& context) {
    return CreateCt002Frontend(static_cast<const Ct002Options&>(options), context);
}

std::unique_ptr<DatagramHandler> MakeCt002Handler(FrontendSource& frontends) {
    return std::make_unique<Ct002DatagramHandler>(frontends);
}

FrontendTransports Ct002Transports() {
    return {.datagram_handler = MakeCt002Handler};
}

} // namespace

std::unique_ptr<Frontend> CreateCt002Frontend(const Ct002Options& options,
                                              const FrontendContext& context) {
    return std::make_unique<Ct002Frontend>(options, context);
}

// The real meter has no web server: HTTP on an ephemeral port, every path 404.
const FrontendPlugin ct002_frontend_plugin{
    "ct002", ParseCt002, CreateCt002, {.http_port = 0, .udp_ports = kCt002Ports}, Ct002Transports};

} // namespace meteremu
