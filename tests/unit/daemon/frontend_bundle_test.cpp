// SPDX-License-Identifier: MIT
// A device that speaks no JSON-RPC fits the bundle as the Shelly does: its plugin's datagram
// handler reaches the current frontend through FrontendSource, a reload swaps it, and its
// HTTP port answers 404. The device here is made up for the test: a binary "meter" that
// answers any datagram with 0x01, its id byte and the served power in whole watts.
#include "daemon/frontend_bundle.hpp"
#include "frontends/shelly/identity.hpp"
#include "platform/machine_id.hpp"
#include "support/http_client.hpp"
#include "support/readings.hpp"
#include "support/shelly_servers.hpp"
#include "support/udp_client.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>

namespace meteremu {
namespace {

using namespace std::chrono_literals;

struct BinaryOptions : FrontendOptions {
    char id = 'a';
};

class BinaryMeter final : public Frontend {
public:
    BinaryMeter(char id, const MeterState& state) : id_(id), state_(state) {}

    std::string Describe() const override { return std::string("binary meter ") + id_; }

    std::string Answer() const {
        MeterView view = state_.View(std::chrono::steady_clock::now());
        long watts = view.reading ? std::lround(view.reading->TotalActPower()) : -1;
        return std::string("\x01") + id_ + std::to_string(watts);
    }

private:
    char id_;
    const MeterState& state_;
};

class BinaryDatagrams final : public DatagramHandler {
public:
    explicit BinaryDatagrams(FrontendSource& frontends) : frontends_(frontends) {}

    DatagramAnswer Handle(std::string_view datagram) noexcept override {
        if (datagram != "?") return {};
        // The plugin built every frontend this source hands out: they are all BinaryMeters.
        std::shared_ptr<Frontend> frontend = frontends_.CurrentFrontend();
        reply_ = static_cast<const BinaryMeter&>(*frontend).Answer();
        return {DatagramReply{reply_}, {}};
    }

private:
    FrontendSource& frontends_;
    std::string reply_;
};

std::unique_ptr<Frontend> CreateBinary(const FrontendOptions& options,
                                       const FrontendContext& context) {
    return std::make_unique<BinaryMeter>(static_cast<const BinaryOptions&>(options).id,
                                         context.state);
}

FrontendTransports BinaryTransports() {
    FrontendTransports transports;
    transports.datagram_handler =
        [](FrontendSource& frontends) -> std::unique_ptr<DatagramHandler> {
        return std::make_unique<BinaryDatagrams>(frontends);
    };
    return transports;
}

const FrontendPlugin binary_plugin{"binary", nullptr, CreateBinary, {}, BinaryTransports};

FrontendSettings BinarySettings(char id) {
    auto options = std::make_shared<BinaryOptions>();
    options->id = id;
    FrontendSettings settings;
    settings.type = "binary";
    settings.plugin = &binary_plugin;
    settings.options = std::move(options);
    settings.on_stale = OnStale::Last;
    settings.listen = {"127.0.0.1", 0, {0}};
    settings.mdns = false;
    return settings;
}

class FrontendBundleTest : public testing::Test {
protected:
    std::optional<std::string> Ask() {
        test::UdpClient client("127.0.0.1");
        if (!client.Send("127.0.0.1", bundle_.UdpPorts().at(0), "?")) return std::nullopt;
        auto reply = client.Receive(2s);
        return reply ? std::optional(reply->text) : std::nullopt;
    }

    FrontendSettings settings_ = BinarySettings('a');
    FrontendBundle bundle_{"binary", settings_, 10s, FrontendBundle::Bind(settings_.listen),
                           std::chrono::steady_clock::now()};
};

TEST_F(FrontendBundleTest, ABinaryDeviceAnswersOverUdpFromItsOwnReading) {
    test::PublishAged(bundle_.State(), {230, 2, 460, 460, 1, 50, 1000, 0});
    EXPECT_EQ(Ask(), std::string("\x01") + "a460");
}

TEST_F(FrontendBundleTest, AReloadSwapsTheBinaryDeviceForTheNextDatagram) {
    test::PublishAged(bundle_.State(), {230, 1, 100, 100, 1, 50, 1000, 0});
    FrontendSettings next = BinarySettings('b');
    bundle_.Apply(next, 10s, bundle_.CreateFrontend(next));
    EXPECT_EQ(Ask(), std::string("\x01") + "b100");
    EXPECT_EQ(bundle_.Describe(), "binary meter b");
}

TEST_F(FrontendBundleTest, ItsHttpPortAnswersNotFound) {
    auto reply =
        test::HttpGet("http://127.0.0.1:" + std::to_string(bundle_.HttpPort()) + "/shelly");
    EXPECT_EQ(reply.status, 404);
}

TEST(FrontendBundleIdentityTest, TwoShelliesWithoutAMacGetTwoStableIdentities) {
    if (!std::filesystem::exists("/etc/machine-id"))
        GTEST_SKIP() << "this machine has no /etc/machine-id";
    auto describe = [](std::uint32_t ordinal) {
        FrontendSettings settings = test::ShellySettings(OnStale::Last, {});
        std::const_pointer_cast<ShellyOptions>(
            std::static_pointer_cast<const ShellyOptions>(settings.options))
            ->mac.reset();
        settings.ordinal = ordinal;
        return FrontendBundle("shelly", settings, 10s, FrontendBundle::Bind(settings.listen),
                              std::chrono::steady_clock::now())
            .Describe();
    };
    std::string first = describe(0);
    EXPECT_NE(first, describe(1));
    EXPECT_EQ(first, describe(0)) << "derived again the same";
    std::string id = shelly::MakeIdentity(StableMacAddress(0), shelly::Profile::Triphase).id;
    EXPECT_NE(first.find(id), std::string::npos)
        << "the first keeps the address 0.1.0 derived: " << first;
}

TEST(FrontendBundleRefusalTest, AWebSocketNeedsAJsonRpcDevice) {
    FrontendPlugin with_websocket = binary_plugin;
    with_websocket.transports = [] {
        FrontendTransports transports = BinaryTransports();
        transports.websocket = true;
        return transports;
    };
    FrontendSettings settings = BinarySettings('c');
    settings.plugin = &with_websocket;
    EXPECT_THROW(FrontendBundle("binary", settings, 10s, FrontendBundle::Bind(settings.listen),
                                std::chrono::steady_clock::now()),
                 std::logic_error);
}

} // namespace
} // namespace meteremu
