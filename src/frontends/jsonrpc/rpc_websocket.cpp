// SPDX-License-Identifier: MIT
#include "frontends/jsonrpc/rpc_websocket.hpp"

#include "frontends/jsonrpc/rpc_frame.hpp"

namespace meteremu {

class RpcWebSocket::Session final : public WebSocketSession {
public:
    explicit Session(RpcWebSocket& owner) : owner_(owner) {}

    std::optional<WebSocketAnswer> OnMessage(std::string_view text) noexcept override try {
        std::shared_ptr<RpcHandler> handler = owner_.rpc_.CurrentRpcHandler();
        FrameAnswer answer = AnswerFrame(*handler, text);
        if (answer.src) subscriber_ = std::move(answer.src);
        if (!answer.reply) return std::nullopt;
        return WebSocketAnswer{std::move(*answer.reply), answer.sample, answer.label};
    } catch (...) {
        return std::nullopt; // out of memory: this request goes unanswered
    }

    std::optional<std::string> OnPush() noexcept override try {
        if (!subscriber_ || !owner_.notification_) return std::nullopt;
        return RenderNotificationFrame(*owner_.notification_, *subscriber_);
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
    notification_.reset(); // before the handler its src points into
    pushing_ = rpc_.CurrentRpcHandler();
    notification_ = pushing_->ReadingNotification();
}

} // namespace meteremu
