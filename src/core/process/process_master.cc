#include "core/process/process_master.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <thread>

#include "core/ipc/packet_channel.h"
#include "core/ipc/process_messages.h"

namespace wsserver {

class ProcessMaster::ReactorThread final : public ServerEvents {
public:
    ReactorThread(int id, const ProcessMasterOptions &options) : id_(id), options_(options) {}
    ReactorThread(const ReactorThread &) = delete;
    ReactorThread &operator=(const ReactorThread &) = delete;
    ~ReactorThread() {
        workers_.clear();  // unregister from the reactor before the Server (and its reactor) goes
        server_.reset();
    }

    int init(const Server &proto, const ServerConfig &config, std::vector<UniqueFd> channels) {
        ServerConfig c = config;
        c.handle_sigterm = false;  // signals are the main thread's
        c.defer_before_handshake = c.has_before_handshake_response;
        c.close_barrier = true;
        auto server = Server::create_sharing(proto, c, *this);
        if (!server) return server.error().code;
        server_ = std::move(server.value());
        if (options_.table) server_->attach_table(*options_.table, -1);
        server_->set_reactor_id(id_);
        for (UniqueFd &fd : channels) {
            // A worker stuck long enough to leave this much unread gets no more events: bounded
            // by the largest message, not by the machine's memory.
            PacketChannel::Limits limits;
            limits.max_queued = std::max<size_t>(64u * 1024 * 1024, 4 * c.package_max_length);
            auto ch = PacketChannel::open(
                server_->reactor(), std::move(fd), scratch_,
                [this](const ChannelHeader &h, std::string_view payload) { server_->execute(h, payload); },
                [] {}, limits);  // closed only when the manager and every worker are gone
            if (!ch) return ch.error().code;
            workers_.push_back(std::move(ch.value()));
        }
        return 0;
    }

    void start() {
        thread_ = std::thread([this] {
            sigset_t all;
            sigfillset(&all);
            pthread_sigmask(SIG_BLOCK, &all, nullptr);  // no signal is ever handled here
            server_->run();
            auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
            for (auto &ch : workers_) {
                auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                                  std::chrono::steady_clock::now());
                ch->flush_blocking(static_cast<int>(std::max<int64_t>(left.count(), 1)));
            }
        });
    }
    void stop() {
        if (server_) server_->stop();
    }
    void join() {
        if (thread_.joinable()) thread_.join();
    }

    // ---- ServerEvents: every event becomes a message to a worker
    void on_connect(SessionId id) override {
        if (connection_events()) send(id, ChannelMessageType::EvConnect, 0, 0, {});
    }
    void on_request(SessionId id, const HttpParser &request) override {
        send(id, ChannelMessageType::EvRequest, 0, 0, encode_request(request));
    }
    void on_handshake(SessionId id, const HttpParser &request) override {
        send(id, ChannelMessageType::EvHandshake, 0, 0, encode_request(request));
    }
    void on_before_handshake_response(SessionId id, const HttpParser &request, HttpResponse &) override {
        send(id, ChannelMessageType::EvHandshake, 0, 1, encode_request(request));
    }
    void on_open(SessionId id, const HttpParser &request) override {
        send(id, ChannelMessageType::EvOpen, 0, 0, encode_request(request));
    }
    void on_message(SessionId id, uint8_t opcode, std::string_view data, unsigned flags) override {
        send(id, ChannelMessageType::EvMessage, opcode, flags, data);
    }
    void on_close(SessionId id) override { send_closed(id, ChannelMessageType::EvClose); }
    void on_disconnect(SessionId id) override { send_closed(id, ChannelMessageType::EvDisconnect); }
    void on_receive(SessionId id, std::string_view data) override {
        send(id, ChannelMessageType::EvReceive, 0, 0, data);
    }
    void on_close_barrier(SessionId id) override { send(id, ChannelMessageType::EvCloseBarrier, 0, 0, {}); }
    void on_buffer_full(SessionId id) override {
        if (connection_events()) send(id, ChannelMessageType::EvBufferFull, 0, 0, {});
    }
    void on_buffer_empty(SessionId id) override {
        if (connection_events()) send(id, ChannelMessageType::EvBufferEmpty, 0, 0, {});
    }

private:
    // Swoole drops onConnect/onClose/onBufferFull/onBufferEmpty with dispatch modes 1 and 3:
    // those could reach another worker than the connection's messages, out of order.
    bool connection_events() const { return options_.dispatch_mode != 1 && options_.dispatch_mode != 3; }

    void send_closed(SessionId id, ChannelMessageType type) {
        if (!connection_events()) return;
        ClientInfo client;
        server_->client_info(id, client);
        CloseInfo close;
        bool has = server_->close_info(id, close);
        send(id, type, 0, 0, encode_closed(client, close, has));
    }

    size_t target(SessionId id) {
        const size_t n = workers_count();
        switch (options_.dispatch_mode) {
        case 1:
            return rr_++ % n;
        case 3:
            return least_loaded();
        case 4: {
            ClientInfo info;
            if (!server_->client_info(id, info)) return static_cast<size_t>(id) % n;
            return std::hash<std::string>()(info.remote_ip) % n;
        }
        default:
            return static_cast<size_t>(id) % n;
        }
    }
    size_t workers_count() const {
        size_t n = static_cast<size_t>(std::max(1, options_.worker_num));
        return std::min(n, workers_.size());
    }
    // An idle worker: the first (from a rotating start) that is not running a callback
    // (the status table) and has nothing unread in its pipe nor queued here; else the one
    // with the least waiting for it, a busy one counting as more than any idle one.
    size_t least_loaded() {
        const size_t n = workers_count();
        size_t best = rr_ % n, best_load = SIZE_MAX;
        for (size_t k = 0; k < n; k++) {
            size_t w = (rr_ + k) % n;
            int unread = 0;
            if (::ioctl(workers_[w]->fd(), SIOCOUTQ, &unread) != 0) unread = 0;
            size_t load = workers_[w]->queued_bytes() + static_cast<size_t>(std::max(unread, 0));
            if (options_.status && !options_.status->idle(static_cast<int>(w))) load += SIZE_MAX / 2;
            if (load < best_load) {
                best = w;
                best_load = load;
                if (load == 0) break;
            }
        }
        rr_++;
        return best;
    }

    void send(SessionId id, ChannelMessageType type, uint8_t opcode, uint32_t aux, std::string_view payload) {
        if (workers_.empty()) return;
        size_t w = target(id);
        ChannelHeader h;
        h.type = type;
        h.opcode = opcode;
        h.aux = aux;
        h.session = id;
        h.target_worker = static_cast<int32_t>(w);
        h.reserved = static_cast<uint16_t>(id_);
        if (workers_[w]->send(h, payload)) return;
        // The worker's pipe is full (it is stuck) or gone: the event cannot be delivered, so
        // the connection cannot go on in order. Said in the log, and the connection closed,
        // rather than a message silently missing from its stream.
        const int64_t now = static_cast<int64_t>(::time(nullptr));
        if (server_->logger() && now != full_logged_at_) {
            full_logged_at_ = now;
            server_->logger()->logf(LogLevel::kWarning,
                                    "the pipe to worker#%zu is full (%zu bytes queued): session#%lld closed", w,
                                    workers_[w]->queued_bytes(), static_cast<long long>(id));
        }
        if (type != ChannelMessageType::EvClose && type != ChannelMessageType::EvDisconnect) server_->close(id, false);
    }

    int id_;
    ProcessMasterOptions options_;
    std::unique_ptr<Server> server_;
    std::vector<char> scratch_;
    std::vector<std::unique_ptr<PacketChannel>> workers_;  // declared after server_: destroyed first
    size_t rr_ = 0;
    int64_t full_logged_at_ = 0;  // wall seconds: one "pipe is full" line per second
    std::thread thread_;
};

ProcessMaster::ProcessMaster(Passkey) {}

Result<std::unique_ptr<ProcessMaster>> ProcessMaster::create(const Server &proto, const ServerConfig &config,
                                                             const ProcessMasterOptions &options,
                                                             std::vector<std::vector<UniqueFd>> channels) {
    auto master = std::make_unique<ProcessMaster>(Passkey());
    const int n = std::max(1, options.reactor_num);
    if (channels.size() != static_cast<size_t>(n)) return SysError::from_errno(EINVAL, "one channel set per reactor");
    for (int r = 0; r < n; r++) {
        auto t = std::make_unique<ReactorThread>(r, options);
        if (int err = t->init(proto, config, std::move(channels[static_cast<size_t>(r)])); err != 0)
            return SysError::from_errno(err, "reactor thread #" + std::to_string(r));
        master->threads_.push_back(std::move(t));
    }
    return master;
}

ProcessMaster::~ProcessMaster() {
    stop();
    join();
}

void ProcessMaster::start() {
    for (auto &t : threads_) t->start();
}

void ProcessMaster::stop() {
    for (auto &t : threads_) t->stop();
}

void ProcessMaster::join() {
    for (auto &t : threads_) t->join();
}

Result<ProcessChannels> ProcessChannels::create(int reactor_num, int pool_size) {
    ProcessChannels c;
    c.master_ends.resize(static_cast<size_t>(reactor_num));
    c.worker_ends.resize(static_cast<size_t>(pool_size));
    for (int w = 0; w < pool_size; w++) {
        for (int r = 0; r < reactor_num; r++) {
            auto pair = PacketChannel::socket_pair();
            if (!pair) return pair.error();
            c.master_ends[static_cast<size_t>(r)].push_back(std::move(pair.value().first));
            c.worker_ends[static_cast<size_t>(w)].push_back(std::move(pair.value().second));
        }
    }
    return c;
}

}  // namespace wsserver
