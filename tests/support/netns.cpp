// SPDX-License-Identifier: MIT
#include "support/netns.hpp"

#include "support/daemon_process.hpp"

#include <fcntl.h>
#include <sched.h>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace meteremu::test {
namespace {

constexpr const char* kIp = "/usr/sbin/ip";

void Ip(const std::vector<std::string>& arguments) {
    std::vector<std::string> command{kIp};
    command.insert(command.end(), arguments.begin(), arguments.end());
    RunResult result = RunProgram(command, std::chrono::seconds(10));
    if (result.status != 0) {
        std::string text;
        for (const auto& part : command)
            text += part + " ";
        throw std::runtime_error(text + "failed: " + result.err);
    }
}

} // namespace

std::string NetnsUnavailableReason() {
    if (geteuid() != 0) return "needs root to create network namespaces (CI runs as root)";
    if (access(kIp, X_OK) != 0) return "needs ip(8) from iproute2 (scripts/install-deps)";
    return "";
}

VethNetwork::VethNetwork(const std::string& name) : a_(name + "-a"), b_(name + "-b") {
    // A /24 of 10.0.0.0/8 chosen by pid, so parallel runs do not share addresses (they could
    // anyway: the namespaces are separate networks).
    std::string subnet = "10.213." + std::to_string(getpid() % 250) + ".";
    address_a_ = subnet + "1";
    address_b_ = subnet + "2";
    broadcast_ = subnet + "255";
    try {
        Ip({"netns", "add", a_});
        created_a_ = true;
        Ip({"netns", "add", b_});
        created_b_ = true;
        Ip({"-n", a_, "link", "add", "veth-a", "type", "veth", "peer", "name", "veth-b", "netns",
            b_});
        Ip({"-n", a_, "addr", "add", address_a_ + "/24", "brd", "+", "dev", "veth-a"});
        Ip({"-n", b_, "addr", "add", address_b_ + "/24", "brd", "+", "dev", "veth-b"});
        for (const auto& [ns, device] : {std::pair{a_, "veth-a"}, std::pair{b_, "veth-b"}}) {
            Ip({"-n", ns, "link", "set", "lo", "up"});
            Ip({"-n", ns, "link", "set", device, "up"});
        }
    } catch (...) {
        Delete();
        throw;
    }
}

VethNetwork::~VethNetwork() {
    Delete();
}

void VethNetwork::Delete() noexcept {
    // Deleting a namespace deletes its end of the veth, and with it the pair.
    for (auto [created, ns] : {std::pair{&created_a_, &a_}, std::pair{&created_b_, &b_}}) {
        if (!*created) continue;
        try {
            RunProgram({kIp, "netns", "del", *ns}, std::chrono::seconds(10));
        } catch (...) {
            // Nothing more to do; `ip netns list` shows what is left.
        }
        *created = false;
    }
}

void VethNetwork::InNamespaceB(const std::function<void()>& make) const {
    std::exception_ptr failure;
    std::thread inside([&] {
        try {
            UniqueFd ns(open(("/var/run/netns/" + b_).c_str(), O_RDONLY | O_CLOEXEC));
            if (!ns.Valid() || setns(ns.Get(), CLONE_NEWNET) != 0)
                throw std::runtime_error("cannot enter namespace " + b_);
            make();
        } catch (...) {
            failure = std::current_exception();
        }
    });
    inside.join();
    if (failure) std::rethrow_exception(failure);
}

std::vector<std::string> VethNetwork::ExecIn(const std::string& ns,
                                             const std::vector<std::string>& program) const {
    std::vector<std::string> command{kIp, "netns", "exec", ns};
    command.insert(command.end(), program.begin(), program.end());
    return command;
}

} // namespace meteremu::test
