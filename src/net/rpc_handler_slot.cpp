// SPDX-License-Identifier: MIT
#include "net/rpc_handler_slot.hpp"

#include <stdexcept>

namespace meteremu {

void RpcHandlerSlot::Replace(std::shared_ptr<RpcHandler> handler) {
    if (!handler) throw std::invalid_argument("RpcHandlerSlot needs a handler");
    std::lock_guard lock(mutex_);
    if (source_ids_.empty() || source_ids_.back() != handler->SourceId())
        source_ids_.emplace_back(handler->SourceId());
    handler_ = std::move(handler);
}

std::shared_ptr<RpcHandler> RpcHandlerSlot::Current() const {
    std::lock_guard lock(mutex_);
    return handler_;
}

std::string_view RpcHandlerSlot::SourceId() const noexcept {
    std::lock_guard lock(mutex_);
    return source_ids_.back();
}

} // namespace meteremu
