// SPDX-License-Identifier: MIT
#include "support/source_daemon.hpp"

#include <regex>

namespace meteremu::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kMarstekPoll = R"({"id":1,"method":"EM.GetStatus","params":{"id":0}})";

} // namespace

void SourceDaemon::Start(const std::string& mac, const std::string& on_stale,
                         const std::string& backend) {
    std::string config = "[frontend]\nmac = \"" + mac +
                         "\"\nlisten_address = \"127.0.0.1\"\nhttp_port = 0\nudp_ports = [0]\n"
                         "mdns = false\non_stale = \"" +
                         on_stale + "\"\n" + kAnswerEveryPoll + "\n" + backend;
    daemon_ = StartDaemon(dir_.Write("meteremu.toml", config).string(), {}, 10s,
                          {"STATE_DIRECTORY=" + dir_.Path().string()});
    udp_port_ = daemon_.UdpPorts(1).front();
}

std::optional<std::string> SourceDaemon::Poll(std::chrono::milliseconds timeout) {
    return Call(kMarstekPoll, timeout);
}

std::optional<std::string> SourceDaemon::Call(const std::string& request,
                                              std::chrono::milliseconds timeout) {
    if (!battery_.Send("127.0.0.1", udp_port_, request)) return std::nullopt;
    auto reply = battery_.Receive(timeout);
    return reply ? std::optional(reply->text) : std::nullopt;
}

Powers SourceDaemon::PowersOf(const std::string& reply) {
    Powers powers{-1, -1, -1};
    for (std::size_t i = 0; i < 3; ++i) {
        std::smatch match;
        std::regex field("\"" + std::string(1, static_cast<char>('a' + i)) +
                         "_act_power\":(-?[0-9.]+)");
        if (std::regex_search(reply, match, field)) powers[i] = std::stod(match[1]);
    }
    return powers;
}

std::optional<Clock::time_point> SourceDaemon::WaitForPowers(Powers powers,
                                                             std::chrono::milliseconds timeout) {
    auto start = Clock::now();
    while (Clock::now() - start < timeout)
        if (auto reply = Poll(50ms); reply && PowersOf(*reply) == powers) return Clock::now();
    return std::nullopt;
}

bool SourceDaemon::WaitForSilence(std::chrono::milliseconds timeout) {
    auto start = Clock::now();
    while (Clock::now() - start < timeout)
        if (!Poll(100ms)) return true;
    return false;
}

std::string SourceDaemon::Log() const {
    return daemon_.process->Stderr();
}

std::size_t SourceDaemon::CountLines(const std::string& words) const {
    std::string log = Log();
    std::size_t count = 0;
    for (std::size_t at = log.find(words); at != std::string::npos; at = log.find(words, at + 1))
        ++count;
    return count;
}

bool SourceDaemon::WaitForLog(const std::string& pattern, std::chrono::milliseconds timeout) {
    return daemon_.process->WaitForOutput(pattern, timeout).has_value();
}

} // namespace meteremu::test
