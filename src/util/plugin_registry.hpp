// SPDX-License-Identifier: MIT
// Lookup in a constinit array of plugin descriptors (anything with a `name`).
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

namespace meteremu {

template <class Plugin, std::size_t N>
const Plugin* FindPlugin(const std::array<const Plugin*, N>& plugins,
                         std::string_view name) noexcept {
    for (const Plugin* plugin : plugins)
        if (plugin->name == name) return plugin;
    return nullptr;
}

template <class Plugin, std::size_t N>
std::vector<std::string_view> PluginNames(const std::array<const Plugin*, N>& plugins) {
    std::vector<std::string_view> names;
    names.reserve(plugins.size());
    for (const Plugin* plugin : plugins)
        names.push_back(plugin->name);
    return names;
}

} // namespace meteremu
