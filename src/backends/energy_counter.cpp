// SPDX-License-Identifier: MIT
#include "backends/energy_counter.hpp"

#include "util/atomic_file.hpp"
#include "util/json.hpp"
#include "util/json_writer.hpp"

#include <cmath>
#include <stdexcept>

namespace meteremu {
namespace {

/// Adds the area under a straight line from p0 to p1 over `hours` to import (above zero) and
/// export (below zero).
void Accumulate(double p0, double p1, double hours, double& import_wh, double& export_wh) {
    auto book = [&](double wh) { (wh >= 0 ? import_wh : export_wh) += std::abs(wh); };
    if ((p0 >= 0) == (p1 >= 0)) {
        book((p0 + p1) / 2 * hours);
        return;
    }
    double crossing = p0 / (p0 - p1); // fraction of the interval before zero
    book(p0 * crossing * hours / 2);
    book(p1 * (1 - crossing) * hours / 2);
}

void ReadArray(const json_t* root, const char* key, std::array<double, kPhaseCount>& target) {
    const json_t* array = json_object_get(root, key);
    if (!json_is_array(array) || json_array_size(array) != kPhaseCount)
        throw std::runtime_error(std::string("energy counters: \"") + key + "\" is not 3 numbers");
    for (size_t i = 0; i < kPhaseCount; ++i) {
        const json_t* value = json_array_get(array, i);
        if (!json_is_number(value) || json_number_value(value) < 0)
            throw std::runtime_error(std::string("energy counters: \"") + key +
                                     "\" holds a bad value");
        target[i] = json_number_value(value);
    }
}

void AppendArray(std::string& out, const std::array<double, kPhaseCount>& values) {
    out += '[';
    for (size_t i = 0; i < kPhaseCount; ++i) {
        if (i) out += ',';
        json::AppendFixed(out, values[i], 4);
    }
    out += ']';
}

} // namespace

EnergyCounter::EnergyCounter(std::filesystem::path file, Seconds max_gap) noexcept
    : file_(std::move(file)), max_gap_(max_gap) {}

void EnergyCounter::Load(const std::string& serial) {
    serial_ = serial;
    import_wh_ = {};
    export_wh_ = {};
    auto content = ReadSmallFile(file_);
    if (!content) return;
    json_error_t error;
    JsonPtr root(json_loadb(content->data(), content->size(), 0, &error));
    if (!root) throw std::runtime_error(file_.string() + ": invalid JSON (" + error.text + ")");
    const json_t* saved_for = json_object_get(root.get(), "serial");
    if (!json_is_string(saved_for) || json_string_value(saved_for) != serial) return;
    ReadArray(root.get(), "import_wh", import_wh_);
    ReadArray(root.get(), "export_wh", export_wh_);
}

void EnergyCounter::Add(Reading& reading, SteadyTime at) {
    std::array<double, kPhaseCount> power{};
    for (size_t i = 0; i < kPhaseCount; ++i)
        power[i] = reading.phases[i].act_power;
    if (last_power_ && at > last_at_ && at - last_at_ <= max_gap_) {
        double hours = Seconds(at - last_at_).count() / 3600;
        for (size_t i = 0; i < kPhaseCount; ++i)
            Accumulate((*last_power_)[i], power[i], hours, import_wh_[i], export_wh_[i]);
    }
    last_power_ = power;
    last_at_ = at;
    for (size_t i = 0; i < kPhaseCount; ++i) {
        reading.phases[i].import_wh = import_wh_[i];
        reading.phases[i].export_wh = export_wh_[i];
    }
}

void EnergyCounter::Save() const {
    std::string out = "{\"serial\":";
    json::AppendString(out, serial_);
    out += ",\"import_wh\":";
    AppendArray(out, import_wh_);
    out += ",\"export_wh\":";
    AppendArray(out, export_wh_);
    out += "}\n";
    WriteFileAtomically(file_, out, 0644);
}

bool EnergyCounter::SaveIfDue(SteadyTime now, Seconds interval) {
    if (now - saved_at_ < interval) return false;
    // A failing disk is tried again after the interval, not at every sample.
    saved_at_ = now;
    Save();
    return true;
}

std::optional<std::string> EnergyCounter::TrySaveIfDue(SteadyTime now, Seconds interval) noexcept {
    try {
        if (SaveIfDue(now, interval)) save_failing_ = false;
        return std::nullopt;
    } catch (const std::exception& error) {
        if (save_failing_) return std::nullopt;
        save_failing_ = true;
        return error.what();
    }
}

} // namespace meteremu
