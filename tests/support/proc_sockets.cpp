// SPDX-License-Identifier: MIT
#include "support/proc_sockets.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <unistd.h>

namespace meteremu::test {
namespace {

constexpr int kTcpListen = 0x0A;

struct NetEntry {
    std::string protocol;
    std::uint16_t port = 0;
    int state = 0;
    std::size_t rx_queue = 0;
};

void ReadNetTable(const std::string& protocol, std::map<unsigned long, NetEntry>& entries) {
    std::ifstream table("/proc/net/" + protocol);
    std::string line;
    std::getline(table, line); // header
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout;
        unsigned long inode = 0;
        fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
            timeout >> inode;
        NetEntry entry;
        entry.protocol = protocol;
        entry.port =
            static_cast<std::uint16_t>(std::stoul(local.substr(local.find(':') + 1), nullptr, 16));
        entry.state = std::stoi(state, nullptr, 16);
        entry.rx_queue = std::stoul(queues.substr(queues.find(':') + 1), nullptr, 16);
        entries[inode] = entry;
    }
}

} // namespace

std::vector<InetSocket> InetSockets(pid_t pid) {
    std::map<unsigned long, NetEntry> entries;
    for (const char* protocol : {"tcp", "tcp6", "udp", "udp6"})
        ReadNetTable(protocol, entries);
    std::vector<InetSocket> sockets;
    std::error_code error;
    for (const auto& link :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error)) {
        std::string target = std::filesystem::read_symlink(link.path(), error).string();
        if (error || !target.starts_with("socket:[")) continue;
        unsigned long inode = std::stoul(target.substr(8));
        auto entry = entries.find(inode);
        if (entry == entries.end()) continue; // a Unix or netlink socket
        InetSocket socket;
        socket.fd = std::stoi(link.path().filename().string());
        socket.inode = inode;
        socket.protocol = entry->second.protocol;
        socket.port = entry->second.port;
        socket.listening = socket.protocol.starts_with("tcp") && entry->second.state == kTcpListen;
        socket.rx_queue = entry->second.rx_queue;
        sockets.push_back(socket);
    }
    return sockets;
}

} // namespace meteremu::test
