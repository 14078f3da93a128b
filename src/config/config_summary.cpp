// SPDX-License-Identifier: MIT
#include "config/config_summary.hpp"

namespace meteremu {
namespace {

std::string PortList(const std::vector<std::uint16_t>& ports) {
    std::string text;
    for (std::size_t i = 0; i < ports.size(); ++i) {
        if (i > 0) text += i + 1 == ports.size() ? " and " : ", ";
        text += ports[i] == 0 ? "any free one" : std::to_string(ports[i]);
    }
    return text;
}

std::string Port(std::uint16_t port) {
    return port == 0 ? "any free port" : "port " + std::to_string(port);
}

} // namespace

std::string DescribeFrontend(const FrontendSettings& frontend) {
    const ListenSettings& listen = frontend.listen;
    std::string text = frontend.type + " on ";
    text += listen.address.empty() ? "every address" : listen.address;
    text += ", HTTP " + Port(listen.http_port);
    if (listen.udp_ports.empty())
        text += ", no UDP";
    else
        text += (listen.udp_ports.size() == 1 ? ", UDP port " : ", UDP ports ") +
                PortList(listen.udp_ports);
    text += frontend.mdns ? ", mDNS" : ", no mDNS";
    return text;
}

std::vector<std::string> SummaryLines(const Config& config) {
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < config.frontends.size(); ++i)
        lines.push_back("frontend " + std::to_string(i + 1) + ": " +
                        DescribeFrontend(config.frontends[i]));
    lines.push_back("backend: " + config.backend.type);
    return lines;
}

} // namespace meteremu
