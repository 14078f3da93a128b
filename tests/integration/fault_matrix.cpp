// SPDX-License-Identifier: MIT
#include "integration/fault_matrix.hpp"

#include "backends/envoy/meters.hpp"
#include "backends/envoy/readings.hpp"
#include "support/temp_dir.hpp"
#include "util/json.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;

constexpr char kReadings[] = "/ivp/meters/readings";
/// Slack for the daemon's own work between a delivery and the reading it publishes, and for
/// the probe's time on the way.
constexpr auto kSlack = 300ms;
constexpr auto kAnswerWithin = 1s;

const auto kStaleDuration =
    std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(kStaleAfter));

JsonPtr Parse(const std::string& text) {
    return JsonPtr(json_loadb(text.data(), text.size(), 0, nullptr));
}

std::string Dump(const json_t* value) {
    char* text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
    std::string dumped = text ? text : "";
    free(text);
    return dumped;
}

double Number(const json_t* object, const char* key) {
    const json_t* value = json_object_get(object, key);
    return json_is_number(value) ? json_number_value(value) : NAN;
}

bool IsSilentError(const json_t* error) {
    return json_is_object(error) && Number(error, "code") == -114;
}

} // namespace

FolderPowers PowersOf(const std::string& folder) {
    auto path = EnvoyFolder(folder);
    envoy::MeterSetup setup = envoy::ParseMeters(ReadFile(path / "ivp_meters"));
    Reading reading = envoy::MapNetConsumption(
        setup, envoy::ReadingsDocument(ReadFile(path / "ivp_meters_readings")));
    FolderPowers powers{folder, {}, reading.TotalActPower()};
    for (size_t i = 0; i < 3; ++i)
        powers.phases[i] = reading.phases[i].act_power;
    return powers;
}

const char* ServedName(Served served) {
    switch (served) {
    case Served::Fresh:
        return "a fresh reading";
    case Served::Zero:
        return "zeros";
    case Served::Error:
        return "the no-fresh-reading error";
    case Served::Nothing:
        return "no datagram";
    case Served::Invalid:
        break;
    }
    return "an invalid answer";
}

MatrixMeter::MatrixMeter(const std::string& mode, const std::string& folder,
                         const std::string& token)
    : mode_(mode), rig_(EnvoyFolder(folder)),
      token_file_(rig_.Dir().Path() / "envoy.token"), expected_{PowersOf(folder)} {
    WriteToken(token);
    auto config = rig_.Dir().Path() / "matrix.toml";
    std::ofstream(config) << "[frontend]\nmac = \"02:00:5E:10:20:30\"\n"
                             "listen_address = \"127.0.0.1\"\nhttp_port = 0\nudp_ports = [0]\n"
                             "mdns = false\n"
                          << kAnswerEveryPoll << "on_stale = \"" << mode << "\"\n\n[backend]\n"
                          << rig_.BackendConfig(
                                 "", "token_file = \"" + token_file_.string() +
                                         "\"\npoll_interval = " + std::to_string(kPollInterval) +
                                         "\nstale_after = " + std::to_string(kStaleAfter) + "\n");
    daemon_ = StartDaemon(config.string(), {"--log-level", "info"}, 10s,
                          {"STATE_DIRECTORY=" + rig_.StateDirectory().string()});
    udp_port_ = daemon_.UdpPorts(1)[0];
    websocket_ = std::make_unique<WebSocketClient>(daemon_.http_port);
    // A request with a src subscribes the client to the NotifyStatus pushes.
    websocket_->SendText(R"({"id":0,"src":"matrix","method":"Shelly.GetDeviceInfo"})");
    if (!ReadResponse(0, 5s)) ADD_FAILURE() << mode << ": no WebSocket answer";
}

void MatrixMeter::WriteToken(const std::string& token) {
    std::ofstream(token_file_) << token << "\n";
}

std::string MatrixMeter::Output() const {
    return daemon_.process ? daemon_.process->Stderr() : "";
}

std::vector<MatrixMeter::Delivery> MatrixMeter::Deliveries() {
    std::vector<Delivery> deliveries;
    for (const auto& request : rig_.Envoy().Requests()) {
        if (request.path != kReadings || request.status != 200) continue;
        if (!request.faulted) // sure only once the fake sent it all (it may go down before)
            deliveries.push_back({request.at, request.delivered});
        else if (delay_ > 0ms) // answered late, maybe after the client gave up
            deliveries.push_back({request.at + delay_, false});
    }
    return deliveries;
}

std::pair<Served, std::string> MatrixMeter::Classify(const json_t* meter) const {
    if (!json_is_object(meter)) return {Served::Invalid, ""};
    std::array<double, 3> phases{Number(meter, "a_act_power"), Number(meter, "b_act_power"),
                                 Number(meter, "c_act_power")};
    double total = Number(meter, "total_act_power");
    if (total == 0 && std::all_of(phases.begin(), phases.end(), [](double p) { return p == 0; }))
        return {Served::Zero, ""};
    for (const FolderPowers& folder : expected_) {
        bool whole = std::abs(total - folder.total) < 0.0011;
        for (size_t i = 0; i < 3; ++i)
            whole = whole && std::abs(phases[i] - folder.phases[i]) < 0.051;
        if (whole) return {Served::Fresh, folder.folder};
    }
    return {Served::Invalid, ""};
}

/// A response frame's result (an EM.GetStatus object) or its error.
std::pair<Served, std::string> MatrixMeter::ClassifyFrame(const std::string& frame) const {
    JsonPtr root = Parse(frame);
    if (!json_is_object(root.get())) return {Served::Invalid, ""};
    if (const json_t* result = json_object_get(root.get(), "result")) return Classify(result);
    if (IsSilentError(json_object_get(root.get(), "error"))) return {Served::Error, ""};
    return {Served::Invalid, ""};
}

void MatrixMeter::Check(const char* transport, Served served, Clock::time_point sent,
                        Clock::time_point answered, const std::string& raw) {
    auto deliveries = Deliveries();
    std::optional<Clock::time_point> latest_any, latest_sure;
    for (const Delivery& delivery : deliveries) {
        if (delivery.at > answered) continue;
        if (!latest_any || delivery.at > *latest_any) latest_any = delivery.at;
        // Surely in the daemon's state before the request came: published before `sent`.
        if (delivery.sure && delivery.at + kSlack <= sent &&
            (!latest_sure || delivery.at > *latest_sure))
            latest_sure = delivery.at;
    }
    // Fresh is possible while some delivery is within stale_after; certain while an
    // untouched one is well within it.
    bool may_be_fresh = latest_any && *latest_any >= sent - kStaleDuration - kSlack;
    bool surely_fresh = latest_sure && *latest_sure >= answered - kStaleDuration + kSlack;
    std::string context = std::string(transport) + " under on_stale = " + mode_ + " served " +
                          ServedName(served) + ": " + raw;
    switch (served) {
    case Served::Fresh:
        // Under "last" a stale reading is served as it was; elsewhere it must be fresh.
        EXPECT_TRUE(mode_ == "last" || may_be_fresh)
            << context << " although nothing arrived within stale_after";
        break;
    case Served::Zero:
        EXPECT_EQ(mode_, "zero") << context;
        EXPECT_FALSE(surely_fresh) << context << " while the reading was fresh";
        break;
    case Served::Error:
    case Served::Nothing:
        EXPECT_EQ(mode_, "silent") << context;
        EXPECT_FALSE(surely_fresh) << context << " while the reading was fresh";
        break;
    case Served::Invalid:
        ADD_FAILURE() << context;
        break;
    }
}

Served MatrixMeter::AskHttpGet(std::string& raw) {
    HttpResult reply = HttpGet(daemon_.Url("/rpc/EM.GetStatus?id=0"), kAnswerWithin);
    raw = std::to_string(reply.status) + " " + reply.body + reply.error;
    if (reply.status == 200) return Classify(Parse(reply.body).get()).first;
    if (reply.status == 503 && IsSilentError(Parse(reply.body).get())) return Served::Error;
    return Served::Invalid;
}

Served MatrixMeter::AskHttpPost(std::string& raw) {
    HttpResult reply = HttpPost(
        daemon_.Url("/rpc"), R"({"id":7,"src":"matrix","method":"EM.GetStatus","params":{"id":0}})",
        kAnswerWithin);
    raw = std::to_string(reply.status) + " " + reply.body + reply.error;
    if (reply.status == 0) return Served::Invalid;
    return ClassifyFrame(reply.body).first;
}

Served MatrixMeter::AskShellyStatus(std::string& raw) {
    HttpResult reply = HttpGet(daemon_.Url("/rpc/Shelly.GetStatus"), kAnswerWithin);
    raw = std::to_string(reply.status) + " " + reply.body.substr(0, 200) + reply.error;
    if (reply.status != 200) return Served::Invalid; // identity and sys always answer
    JsonPtr root = Parse(reply.body);
    const json_t* sys = json_object_get(root.get(), "sys");
    if (!json_is_object(sys) || !json_object_get(sys, "mac")) return Served::Invalid;
    // Under on_stale = silent the meter's values are null, with the device's error.
    const json_t* meter = json_object_get(root.get(), "em:0");
    const json_t* errors = json_object_get(meter, "errors");
    if (json_is_null(json_object_get(meter, "total_act_power")) &&
        json_is_null(json_object_get(meter, "a_act_power")) && json_array_size(errors) == 1 &&
        json_string_value(json_array_get(errors, 0)) == std::string("power_meter_failure"))
        return Served::Error;
    return Classify(meter).first;
}

void MatrixMeter::TakePush(const std::string& frame) {
    JsonPtr root = Parse(frame);
    const json_t* meter = json_object_get(json_object_get(root.get(), "params"), "em:0");
    if (!meter) return; // an energy-only push
    pushes_.emplace_back(Clock::now(), Dump(meter));
    auto [served, folder] = Classify(meter);
    // A push carries a new reading, never a stale or zeroed one.
    EXPECT_EQ(served, Served::Fresh)
        << "NotifyStatus under on_stale = " << mode_ << ": " << pushes_.back().second;
}

std::optional<std::string> MatrixMeter::ReadResponse(int id, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        auto text = websocket_->ReadText(std::max(left, 1ms));
        if (!text) return std::nullopt;
        JsonPtr root = Parse(*text);
        const json_t* method = json_object_get(root.get(), "method");
        if (json_is_string(method) && json_string_value(method) == std::string("NotifyStatus")) {
            TakePush(*text);
            continue;
        }
        if (Number(root.get(), "id") == id) return text;
    }
    return std::nullopt;
}

void MatrixMeter::DrainPushes() {
    while (auto text = websocket_->ReadText(1ms)) {
        JsonPtr root = Parse(*text);
        const json_t* method = json_object_get(root.get(), "method");
        if (json_is_string(method) && json_string_value(method) == std::string("NotifyStatus"))
            TakePush(*text);
    }
}

Served MatrixMeter::AskWebSocket(std::string& raw) {
    int id = next_id_++;
    websocket_->SendText(R"({"id":)" + std::to_string(id) +
                         R"(,"src":"matrix","method":"EM.GetStatus","params":{"id":0}})");
    auto frame = ReadResponse(id, kAnswerWithin);
    raw = frame.value_or("(no response frame)");
    return frame ? ClassifyFrame(*frame).first : Served::Invalid;
}

void MatrixMeter::CollectUdp(Clock::time_point until) {
    // Replies are taken as they come, so a slow one (under the sanitizers) does not hold up
    // the round; one that never comes within kAnswerWithin counts as no datagram.
    while (!pending_udp_.empty()) {
        auto due = pending_udp_.front().sent + kAnswerWithin;
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(std::min(until, due) -
                                                                          Clock::now());
        auto datagram = udp_.Receive(std::max(wait, 1ms));
        if (datagram) {
            JsonPtr root = Parse(datagram->text);
            auto pending = std::find_if(pending_udp_.begin(), pending_udp_.end(),
                                        [&](auto& p) { return Number(root.get(), "id") == p.id; });
            if (pending == pending_udp_.end()) continue; // not a probe's reply: ignored
            Check("UDP", ClassifyFrame(datagram->text).first, pending->sent, Clock::now(),
                  datagram->text);
            pending_udp_.erase(pending);
        } else if (Clock::now() >= due) {
            Check("UDP", Served::Nothing, pending_udp_.front().sent, Clock::now(), "(none)");
            pending_udp_.pop_front();
        } else {
            return; // `until` came first
        }
    }
}

void MatrixMeter::FinishUdp() {
    CollectUdp(Clock::time_point::max());
}

void MatrixMeter::ProbeAll() {
    ++probes_;
    int udp_id = next_id_++;
    pending_udp_.push_back({udp_id, Clock::now()});
    EXPECT_TRUE(udp_.Send("127.0.0.1", udp_port_,
                          R"({"id":)" + std::to_string(udp_id) +
                              R"(,"src":"matrix","method":"EM.GetStatus","params":{"id":0}})"));
    std::string raw;
    using Ask = Served (MatrixMeter::*)(std::string&);
    const std::pair<const char*, Ask> askers[] = {
        {"HTTP GET", &MatrixMeter::AskHttpGet},
        {"HTTP POST", &MatrixMeter::AskHttpPost},
        {"WebSocket", &MatrixMeter::AskWebSocket},
        {"Shelly.GetStatus", &MatrixMeter::AskShellyStatus},
    };
    for (const auto& [transport, ask] : askers) {
        auto sent = Clock::now();
        Served served = (this->*ask)(raw);
        Check(transport, served, sent, Clock::now(), raw);
    }
    CollectUdp(Clock::now());
    DrainPushes();
}

bool MatrixMeter::Recovered(const std::string& folder, Clock::time_point since) {
    DrainPushes();
    CollectUdp(Clock::now());
    HttpResult reply = HttpGet(daemon_.Url("/rpc/EM.GetStatus?id=0"), kAnswerWithin);
    if (reply.status != 200) return false;
    auto [served, served_folder] = Classify(Parse(reply.body).get());
    if (served != Served::Fresh || served_folder != folder) return false;
    if (mode_ != "last") return true;
    // Under "last" the old values look the same: a push says a new reading came.
    return std::any_of(pushes_.begin(), pushes_.end(), [&](const auto& push) {
        return push.first >= since && Classify(Parse(push.second).get()).second == folder;
    });
}

} // namespace meteremu::test
