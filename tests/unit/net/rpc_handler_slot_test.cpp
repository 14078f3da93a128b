// SPDX-License-Identifier: MIT
#include "net/rpc_handler_slot.hpp"

#include <gtest/gtest.h>

namespace meteremu {
namespace {

class NamedHandler final : public RpcHandler {
public:
    explicit NamedHandler(std::string id) : id_(std::move(id)) {}
    RpcOutcome Call(const RpcCall&) noexcept override { return "\"" + id_ + "\""; }
    std::string_view SourceId() const noexcept override { return id_; }
    std::optional<RpcNotification> ReadingNotification() noexcept override {
        return RpcNotification{"Notify", id_};
    }

private:
    std::string id_;
};

TEST(RpcHandlerSlotTest, ReplacingKeepsEarlierViewsValid) {
    RpcHandlerSlot slot(std::make_shared<NamedHandler>("shellypro3em-000000000001"));
    std::string_view before = slot.SourceId();
    EXPECT_EQ(std::get<std::string>(slot.Call({"X", nullptr})), "\"shellypro3em-000000000001\"");
    std::shared_ptr<RpcHandler> in_flight = slot.Current();
    slot.Replace(std::make_shared<NamedHandler>("shellypro3em-000000000002"));
    EXPECT_EQ(before, "shellypro3em-000000000001"); // the old view still reads
    EXPECT_EQ(slot.SourceId(), "shellypro3em-000000000002");
    EXPECT_EQ(slot.ReadingNotification()->params, "shellypro3em-000000000002");
    EXPECT_EQ(in_flight->SourceId(), "shellypro3em-000000000001");
    EXPECT_THROW(slot.Replace(nullptr), std::invalid_argument);
}

} // namespace
} // namespace meteremu
