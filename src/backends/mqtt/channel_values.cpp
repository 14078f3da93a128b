// SPDX-License-Identifier: MIT
#include "backends/mqtt/channel_values.hpp"

#include <algorithm>

namespace meteremu::mqtt {

ChannelValues::ChannelValues(std::vector<Channel> channels, double scale, bool invert)
    : channels_(std::move(channels)), latest_(channels_.size()), scale_(scale), invert_(invert) {}

std::vector<std::string> ChannelValues::Topics() const {
    std::vector<std::string> topics;
    for (const Channel& channel : channels_)
        if (std::find(topics.begin(), topics.end(), channel.topic) == topics.end())
            topics.push_back(channel.topic);
    return topics;
}

bool ChannelValues::SharedTopic(std::string_view topic) const noexcept {
    return std::count_if(channels_.begin(), channels_.end(),
                         [&](const Channel& channel) { return channel.topic == topic; }) > 1;
}

MessageOutcome ChannelValues::Apply(std::string_view topic, std::string_view payload, SteadyTime at,
                                    WallTime wall_at) {
    MessageOutcome outcome;
    bool shared = SharedTopic(topic);
    for (std::size_t i = 0; i < channels_.size(); ++i) {
        if (channels_[i].topic != topic) continue;
        try {
            latest_[i] = Latest{ParsePayload(payload, channels_[i].pointer), at, wall_at};
            ++outcome.updated;
        } catch (const PayloadError& error) {
            bool expected = shared && error.Problem() == PayloadProblem::MissingField;
            if (!expected && !outcome.error) outcome.error = error;
        }
    }
    return outcome;
}

bool ChannelValues::Complete() const noexcept {
    return std::all_of(latest_.begin(), latest_.end(),
                       [](const auto& latest) { return latest.has_value(); });
}

double ChannelValues::Signed(std::size_t index) const noexcept {
    double value = latest_[index]->value * scale_;
    return channels_[index].measure == Measure::Export ? -value : value;
}

Reading ChannelValues::Compose() const {
    Reading reading;
    reading.received_at = SteadyTime::max();
    for (std::size_t i = 0; i < channels_.size(); ++i) {
        std::size_t phase = channels_[i].phase.value_or(0);
        reading.phases[phase].act_power += invert_ ? -Signed(i) : Signed(i);
        if (latest_[i]->at < reading.received_at) {
            reading.received_at = latest_[i]->at;
            reading.measured_at = latest_[i]->wall_at;
        }
    }
    return reading;
}

const Channel* ChannelValues::SilentSince(SteadyTime since) const noexcept {
    for (std::size_t i = 0; i < channels_.size(); ++i)
        if (!latest_[i] || latest_[i]->at < since) return &channels_[i];
    return nullptr;
}

} // namespace meteremu::mqtt
