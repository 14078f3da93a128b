// SPDX-License-Identifier: MIT
#include "frontends/ct002/ct002_frontend.hpp"

#include "config/config_section.hpp"
#include "frontends/ct002/active_reply.hpp"
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

class Ct002Frontend final : public Frontend {
public:
    Ct002Frontend(const Ct002Options& options, const FrontendContext& context)
        : state_(context.state), ct_type_(options.ct_type),
          mode_(options.mode), steering_{options.balance, {}, options.by_phase} {
        for (const MacAddress& mac : options.ct_macs) {
            ct_macs_.push_back(MacHex(mac, false));
            ct_keys_.push_back(MacKey(ct_macs_.back()));
        }
        for (const Ct002Weight& weight : options.weights)
            steering_.weights.push_back({MacKey(MacHex(weight.battery, false)), weight.weight});
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
        Fill(reply, memory, view, now);
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

    /// The grid, counts and sums of `reply`: relay mode's, or the battery's own part.
    void Fill(Reply& reply, MeterMemory& memory, const MeterView& view,
              SteadyTime now) const noexcept {
        BucketTotals totals = memory.batteries.Totals(now);
        Battery& asking = memory.batteries.Recorded();
        memory.active = ServesActive(mode_, totals);
        if (!memory.active || !FillActive(reply, memory, view, now, steering_)) {
            FillGrid(reply, *view.reading);
            FillBatteries(reply, totals);
            asking.target_w.reset();
        }
        asking.answered_sample = view.sample;
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
    Ct002Mode mode_;
    Steering steering_;
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

/// `mode`: "auto", "relay" or "active".
void ParseMode(ConfigSection& section, Ct002Options& options) {
    auto mode = section.String("mode");
    if (!mode) return;
    if (*mode == "auto")
        options.mode = Ct002Mode::Auto;
    else if (*mode == "relay")
        options.mode = Ct002Mode::Relay;
    else if (*mode == "active")
        options.mode = Ct002Mode::Active;
    else
        section.ErrorAt("mode", "expected \"auto\" (active while several batteries regulate, "
                                "else relay), \"relay\" (as a real CT002) or \"active\"");
}

/// `regulate_on`: "sum" or "phase".
void ParseRegulateOn(ConfigSection& section, Ct002Options& options) {
    auto on = section.String("regulate_on");
    if (!on || *on == "sum") return;
    if (*on == "phase")
        options.by_phase = true;
    else
        section.ErrorAt("regulate_on", "expected \"sum\" (the steered batteries share the sum "
                                       "of the phases, as a meter that nets them bills) or "
                                       "\"phase\" (each phase on its own)");
}

/// `balance_gain`, `balance_rate`, `dc_floor` and `pace`: the balancer's settings, within
/// what makes sense.
void ParseBalance(ConfigSection& section, Ct002Options& options) {
    ct002::BalanceSettings& balance = options.balance;
    balance.gain = section.Bounded("balance_gain", balance.gain, 0, 1);
    // A B2500 runs at 80 W at least; 800 W is the most a plug-in battery feeds in.
    balance.dc_floor_w = section.Bounded("dc_floor", balance.dc_floor_w, 0, 800);
    balance.balance_rate_w_per_s =
        section.Bounded("balance_rate", balance.balance_rate_w_per_s, 0, 100);
    if (auto pace = section.Number("pace")) {
        if (std::isfinite(*pace) && *pace >= 0)
            balance.pace_w_per_s = *pace;
        else
            section.ErrorAt("pace", "expected W per second, 0 or more (0: unpaced), got " +
                                        FormatNumber(*pace));
    }
}

/// `weights`: { "<battery MAC>" = weight, ... }, each battery once, weights 0 or more.
void ParseWeights(ConfigSection& section, Ct002Options& options) {
    auto members = section.NumberTable("weights");
    if (!members) return;
    for (const auto& [name, weight] : *members) {
        auto mac = ParseMacAddress(name);
        bool again = mac && std::ranges::find(options.weights, *mac, &Ct002Weight::battery) !=
                                options.weights.end();
        if (!mac || again)
            section.ErrorAtMember("weights", name,
                                  "expected the 12 hexadecimal digits of a battery's MAC, such "
                                  "as \"aabbccddeeff\", each battery once");
        else if (!std::isfinite(weight) || weight < 0)
            section.ErrorAtMember("weights", name,
                                  "expected a weight of 0 or more (a battery not listed weighs "
                                  "1), got " +
                                      FormatNumber(weight));
        else
            options.weights.push_back({*mac, weight});
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
    ParseMode(section, *options);
    ParseRegulateOn(section, *options);
    ParseBalance(section, *options);
    ParseWeights(section, *options);
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
