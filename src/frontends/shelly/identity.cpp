// SPDX-License-Identifier: MIT
#include "frontends/shelly/identity.hpp"

#include <cstdint>

namespace meteremu::shelly {
namespace {

constexpr char kUpper[] = "0123456789ABCDEF";
constexpr char kLower[] = "0123456789abcdef";

/// 32 hex digits that look like a factory key and say nothing but the MAC (FNV-1a).
std::string OpaqueKey(const MacAddress& mac) {
    std::string key;
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (int round = 0; round < 2; ++round) {
        for (auto byte : mac)
            hash = (hash ^ byte ^ static_cast<std::uint64_t>(round)) * 0x100000001b3ULL;
        for (int shift = 60; shift >= 0; shift -= 4)
            key += kLower[(hash >> shift) & 0xf];
    }
    return key;
}

} // namespace

std::string_view ProfileName(Profile profile) noexcept {
    return profile == Profile::Monophase ? "monophase" : "triphase";
}

std::optional<Profile> ParseProfile(std::string_view name) noexcept {
    if (name == "triphase") return Profile::Triphase;
    if (name == "monophase") return Profile::Monophase;
    return std::nullopt;
}

std::string_view ModelName(Model model) noexcept {
    switch (model) {
    case Model::ProEm50:
        return "proem50";
    case Model::EmGen3:
        return "emg3";
    case Model::Pro3Em:
        break;
    }
    return "pro3em";
}

std::optional<Model> ParseModel(std::string_view name) noexcept {
    for (Model model : {Model::Pro3Em, Model::ProEm50, Model::EmGen3})
        if (name == ModelName(model)) return model;
    return std::nullopt;
}

std::optional<Channel0> ParseChannel0(std::string_view name) noexcept {
    if (name == "total") return Channel0::Total;
    if (name == "a") return Channel0::A;
    if (name == "b") return Channel0::B;
    if (name == "c") return Channel0::C;
    return std::nullopt;
}

Identity MakeIdentity(const MacAddress& mac, Profile profile) {
    return MakeIdentity(mac, Model::Pro3Em, profile);
}

Identity MakeIdentity(const MacAddress& mac, Model model, Profile profile) {
    Identity identity;
    std::string lower;
    for (auto byte : mac) {
        identity.mac += kUpper[byte >> 4];
        identity.mac += kUpper[byte & 0xf];
        lower += kLower[byte >> 4];
        lower += kLower[byte & 0xf];
    }
    identity.model_kind = model;
    identity.profile = profile;
    identity.key = OpaqueKey(mac);
    if (model == Model::ProEm50) {
        identity.model = "SPEM-002CEBEU50";
        identity.app = "ProEM50";
        identity.host_prefix = "ShellyProEM50";
        identity.id = "shellyproem50-" + lower;
    } else if (model == Model::EmGen3) {
        identity.model = "S3EM-002CXCEU";
        identity.app = "EMG3"; // [?] no capture names the app of an EM Gen3
        identity.gen = 3;
        identity.host_prefix = "ShellyEMG3";
        identity.id = "shellyemg3-" + lower;
    } else {
        identity.id = "shellypro3em-" + lower;
    }
    return identity;
}

Layout LayoutOf(const Identity& identity) noexcept {
    switch (identity.model_kind) {
    case Model::ProEm50:
        return Layout::Em1Pair;
    case Model::EmGen3:
        return Layout::Em1PairGen3;
    case Model::Pro3Em:
        break;
    }
    return identity.profile == Profile::Monophase ? Layout::Monophase : Layout::Triphase;
}

std::string AccessPointSsid(const Identity& identity) {
    return identity.host_prefix + "-" + identity.mac;
}

} // namespace meteremu::shelly
