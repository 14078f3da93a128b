// SPDX-License-Identifier: MIT
// GET /info (XML, no auth): the gateway's serial, firmware and whether it has CT inputs
// (docs/protocols/envoy.md#info). A handful of tags from a flat document, so a few string
// searches do, not an XML library.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meteremu::envoy {

/// "D8.3.5169", "R3.9.36", "M4.2.33": a letter, then numbers compared one by one.
class FirmwareVersion {
public:
    FirmwareVersion() = default;
    /// Throws BadData when no number follows the letter.
    explicit FirmwareVersion(std::string_view text);

    /// this >= major.minor.patch
    bool AtLeast(int major, int minor = 0, int patch = 0) const noexcept;
    /// Token auth and HTTPS from 7.0 on (docs/protocols/envoy.md#transport).
    bool UsesTokens() const noexcept { return AtLeast(7); }
    const std::string& Text() const noexcept { return text_; }

    bool operator==(const FirmwareVersion& other) const noexcept { return text_ == other.text_; }

private:
    std::string text_;
    std::vector<int> numbers_;
};

struct EnvoyInfo {
    std::string serial;      ///< <sn>
    std::string part_number; ///< <pn>, e.g. 800-00647-r11
    FirmwareVersion firmware;
    std::optional<bool> metered; ///< <imeter>; absent on 3.x and M4.x
};

/// Throws BadData when the document is not an Envoy's /info or lacks <sn> or <software>.
EnvoyInfo ParseInfo(std::string_view xml);

} // namespace meteremu::envoy
