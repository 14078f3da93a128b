// SPDX-License-Identifier: MIT
#include "net/rpc_websocket.hpp"

#include "net/rpc_frame.hpp"

namespace meteremu {

class RpcWebSocket::Session final : public WebSocketSession {
public:
    explicit Session(RpcWebSocket& owner) : owner_(owner) {}

    std::optional<std::string> OnMessage(std::string_view text) noexcept override try {
        FrameAnswer answer = AnswerFrame(owner_.rpc_, text);
        if (answer.src) subscriber_ = std::move(answer.src);
        return std::move(answer.reply);
    } catch (...) {
        return std::nullopt; // out of memory: this request goes unanswered
    }

    std::optional<std::string> OnPush() noexcept override try {
        if (!subscriber_ || !owner_.notification_) return std::nullopt;
        return RenderNotificationFrame(owner_.rpc_.SourceId(), *subscriber_, *owner_.notification_);
    } catch (...) {
        return std::nullopt;
    }

private:
    RpcWebSocket& owner_;
    std::optional<std::string> subscriber_; ///< the src of the client's latest request
};

std::unique_ptr<WebSocketSession> RpcWebSocket::Open() {
    return std::make_unique<Session>(*this);
}

void RpcWebSocket::PreparePush() noexcept {
    notification_ = rpc_.ReadingNotification();
}

} // namespace meteremu
