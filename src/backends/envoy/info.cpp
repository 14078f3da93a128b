// SPDX-License-Identifier: MIT
#include "backends/envoy/info.hpp"

#include "backends/envoy/envoy_error.hpp"
#include "util/log_text.hpp"

#include <cctype>

namespace meteremu::envoy {
namespace {

/// The trimmed text between <tag> and </tag> inside `xml`, or nullopt.
std::optional<std::string> TagText(std::string_view xml, std::string_view tag) {
    std::string open = "<" + std::string(tag) + ">";
    std::string close = "</" + std::string(tag) + ">";
    size_t start = xml.find(open);
    if (start == std::string_view::npos) return std::nullopt;
    start += open.size();
    size_t end = xml.find(close, start);
    if (end == std::string_view::npos) return std::nullopt;
    std::string_view text = xml.substr(start, end - start);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    return std::string(text);
}

std::string_view DeviceBlock(std::string_view xml) {
    size_t start = xml.find("<device>");
    size_t end = xml.find("</device>");
    if (start == std::string_view::npos || end == std::string_view::npos || end < start)
        throw BadData("/info: no <device> element");
    return xml.substr(start, end - start);
}

} // namespace

FirmwareVersion::FirmwareVersion(std::string_view text) : text_(text) {
    size_t i = 0;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])))
        ++i;
    while (i < text.size()) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) break;
        int number = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) &&
               number < 100000000)
            number = number * 10 + (text[i++] - '0');
        numbers_.push_back(number);
        if (i < text.size() && text[i] == '.') ++i;
    }
    if (numbers_.empty())
        throw BadData("/info: firmware \"" + LogText(text) + "\" has no version number");
}

bool FirmwareVersion::AtLeast(int major, int minor, int patch) const noexcept {
    const int wanted[3] = {major, minor, patch};
    for (size_t i = 0; i < 3; ++i) {
        int have = i < numbers_.size() ? numbers_[i] : 0;
        if (have != wanted[i]) return have > wanted[i];
    }
    return true;
}

EnvoyInfo ParseInfo(std::string_view xml) {
    if (xml.find("<envoy_info") == std::string_view::npos)
        throw BadData("/info: not an Envoy's /info document");
    std::string_view device = DeviceBlock(xml);
    EnvoyInfo info;
    auto serial = TagText(device, "sn");
    auto software = TagText(device, "software");
    if (!serial || serial->empty()) throw BadData("/info: no serial number (<sn>)");
    if (!software || software->empty()) throw BadData("/info: no firmware (<software>)");
    info.serial = *serial;
    info.part_number = TagText(device, "pn").value_or("");
    info.firmware = FirmwareVersion(*software);
    if (auto imeter = TagText(device, "imeter")) info.metered = (*imeter == "true");
    return info;
}

} // namespace meteremu::envoy
