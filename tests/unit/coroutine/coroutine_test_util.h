// A ucontext backend for the scheduler's tests (the extension uses PHP's fiber context),
// and a reactor on a fake clock that the tests advance by hand.
#pragma once

#include <ucontext.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/coroutine/scheduler.h"
#include "core/net/reactor.h"

namespace wsserver::test {

class UcontextBackend final : public ContextBackend {
public:
    std::unique_ptr<CoroutineContext> create(Coroutine &co) override {
        auto ctx = std::make_unique<Context>();
        ctx->co = &co;
        ctx->backend = this;
        ctx->stack.resize(256 * 1024);  // generous: ASan's frames are big
        if (getcontext(&ctx->uc) != 0) return nullptr;
        ctx->uc.uc_stack.ss_sp = ctx->stack.data();
        ctx->uc.uc_stack.ss_size = ctx->stack.size();
        ctx->uc.uc_link = nullptr;
        auto bits = reinterpret_cast<uintptr_t>(ctx.get());
        makecontext(&ctx->uc, reinterpret_cast<void (*)()>(&trampoline), 2, unsigned(bits >> 32),
                    unsigned(bits & 0xffffffffu));
        created++;
        return ctx;
    }
    void resume(Coroutine &co) override {
        auto *ctx = static_cast<Context *>(co.context());
        ucontext_t *from = running_;
        ctx->resumer = from;
        running_ = &ctx->uc;
        switches++;
        swapcontext(from, &ctx->uc);
        running_ = from;
    }
    void yield(Coroutine &co) override {
        auto *ctx = static_cast<Context *>(co.context());
        running_ = ctx->resumer;
        switches++;
        swapcontext(&ctx->uc, ctx->resumer);
    }

    int created = 0;
    int switches = 0;

private:
    struct Context final : CoroutineContext {
        ucontext_t uc;
        std::vector<char> stack;
        ucontext_t *resumer = nullptr;
        Coroutine *co = nullptr;
        UcontextBackend *backend = nullptr;
    };
    static void trampoline(unsigned hi, unsigned lo) {
        auto *ctx = reinterpret_cast<Context *>((uintptr_t(hi) << 32) | uintptr_t(lo));
        ctx->co->run();
        ctx->backend->running_ = ctx->resumer;
        setcontext(ctx->resumer);
    }

    ucontext_t main_{};
    ucontext_t *running_ = &main_;
};

// A scheduler on a reactor whose clock only moves when the test says so.
struct SchedulerFixture {
    SchedulerFixture() {
        ReactorOptions options;
        options.clock = [this] { return now_ns; };
        auto created = Reactor::create(std::move(options));
        if (created.ok()) reactor = std::move(created.value());
        scheduler = std::make_unique<Scheduler>(backend, *reactor);
    }
    // Advances the clock by `ms` and runs one loop round.
    void advance(uint64_t ms) {
        now_ns += ms * 1000000;
        reactor->run_once(0);
    }
    // Runs rounds 1 ms apart until no coroutine is left, at most `max_ms` of them.
    void run_all(int max_ms = 10000) {
        for (int i = 0; i < max_ms && scheduler->count() > 0; i++) advance(1);
    }

    uint64_t now_ns = 1000000000;
    UcontextBackend backend;
    std::unique_ptr<Reactor> reactor;
    std::unique_ptr<Scheduler> scheduler;
};

}  // namespace wsserver::test
