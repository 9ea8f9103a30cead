// Server over real sockets in SWOOLE_PROCESS mode: a ProcessMaster reactor thread owns the
// socket, a worker Server pumped in this thread gets its events and answers through the pipe.
#include "server_test_util.h"

using namespace server_test;

// ---- SWOOLE_PROCESS: a ProcessMaster (reactor thread) and a worker Server in this process.
// The master's thread owns the socket and does the protocol work; the worker Server, pumped
// here, gets the events over the PacketChannel and sends its pushes back.
class ProcessMasterTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto table = ConnectionTable::create({64, 1});
        ASSERT_TRUE(table.ok()) << table.error().message;
        table_ = std::make_unique<ConnectionTable>(std::move(table.value()));
        ServerConfig cfg;
        cfg.host = "127.0.0.1";
        cfg.port = 0;
        cfg.handle_sigterm = false;
        auto proto = Server::create(cfg, proto_events_);
        ASSERT_TRUE(proto.ok()) << proto.error().message;
        proto_ = std::move(proto.value());
        proto_->serve_no_connections();
        log_path_ = "/tmp/wsserver_process_master_test_" + std::to_string(::getpid()) + ".log";
        ASSERT_TRUE(logger_.open(log_path_).ok());
        proto_->set_logger(&logger_);
        auto channels = ProcessChannels::create(1, 1);
        ASSERT_TRUE(channels.ok()) << channels.error().message;
        ProcessMasterOptions mo;
        mo.reactor_num = 1;
        mo.worker_num = 1;
        mo.table = table_.get();
        auto master = ProcessMaster::create(*proto_, cfg, mo, std::move(channels.value().master_ends));
        ASSERT_TRUE(master.ok()) << master.error().message;
        master_ = std::move(master.value());
        auto worker = Server::create(cfg, events_);
        ASSERT_TRUE(worker.ok()) << worker.error().message;
        worker_ = std::move(worker.value());
        events_.server = worker_.get();
        worker_->serve_no_connections();
        ASSERT_TRUE(worker_->attach_table(*table_, 0));
        ASSERT_EQ(worker_->attach_master(std::move(channels.value().worker_ends[0])), 0);
        master_->start();
    }
    void TearDown() override {
        if (master_) {
            master_->stop();
            master_->join();
        }
        ::unlink(log_path_.c_str());
    }
    template <typename Pred>
    bool pump_until(Pred pred, int ms = 2000) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        while (!pred()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            worker_->poll(5);
        }
        return true;
    }
    bool read_frame(Client &c, ServerFrame &f) {
        bool got = false;
        pump_until([&] {
            c.drain();
            got = take_frame(c.buf(), f);
            return got || c.eof();
        });
        return got;
    }
    SessionId open_client(Client &c) {
        EXPECT_TRUE(c.send(upgrade_request()));
        EXPECT_TRUE(pump_until([&] {
            c.drain();
            return c.buf().find("\r\n\r\n") != std::string::npos || c.eof();
        }));
        EXPECT_EQ(c.buf().rfind("HTTP/1.1 101 ", 0), 0u) << c.buf();
        c.buf().erase(0, c.buf().find("\r\n\r\n") + 4);
        EXPECT_TRUE(pump_until([&] { return !events_.opens.empty(); }));
        return events_.opens.empty() ? 0 : events_.opens.back();
    }

    Events proto_events_;
    Events events_;
    Logger logger_;
    std::string log_path_;
    std::unique_ptr<ConnectionTable> table_;
    std::unique_ptr<Server> proto_;
    std::unique_ptr<Server> worker_;
    std::unique_ptr<ProcessMaster> master_;
};

TEST_F(ProcessMasterTest, WorkerGetsTheEventsAndItsEchoesComeBackInOrder) {
    Client c(proto_->port());
    ASSERT_TRUE(c.connected());
    SessionId id = open_client(c);
    ASSERT_NE(id, 0u);
    EXPECT_TRUE(worker_->is_established(id));  // from the shared table
    // 16 messages in one write, a ping between them, then a close: echoes and pong in the
    // order of the input (the pong and the close reply wait for the worker), then the close.
    std::string burst;
    for (int i = 0; i < 8; i++) burst += client_frame(0x1, "m" + std::to_string(i));
    burst += client_frame(0x9, "p");
    for (int i = 8; i < 16; i++) burst += client_frame(0x1, "m" + std::to_string(i));
    burst += client_frame(0x8, close_payload(1000, "bye"));
    ASSERT_TRUE(c.send(burst));
    std::vector<std::string> got;
    for (int i = 0; i < 18; i++) {
        ServerFrame f;
        ASSERT_TRUE(read_frame(c, f)) << "frame " << i;
        got.push_back(std::to_string(f.opcode) + ":" + (f.opcode == 0x8 ? std::to_string(f.close_code()) : f.payload));
    }
    std::vector<std::string> want;
    for (int i = 0; i < 8; i++) want.push_back("1:m" + std::to_string(i));
    want.push_back("10:p");
    for (int i = 8; i < 16; i++) want.push_back("1:m" + std::to_string(i));
    want.push_back("8:1000");
    EXPECT_EQ(got, want);
    ASSERT_TRUE(pump_until([&] {
        c.drain();
        return c.eof() && !events_.closes.empty();
    }));
    ASSERT_EQ(events_.closes.size(), 1u);
    EXPECT_EQ(events_.close_infos[id].peer_code, 1000);
    EXPECT_EQ(events_.close_infos[id].peer_reason, "bye");
    EXPECT_EQ(events_.close_status[id], websocket_status::kActive);  // client_info() in on_close, as Swoole
}

TEST_F(ProcessMasterTest, LargeMessagesCrossTheHopBothWays) {
    Client c(proto_->port());
    SessionId id = open_client(c);
    ASSERT_NE(id, 0u);
    std::string big(1536 * 1024 + 17, 'x');  // under package_max_length (2 MiB), 25 records
    for (size_t i = 0; i < big.size(); i += 4099) big[i] = static_cast<char>('a' + i % 26);
    ASSERT_TRUE(c.send(client_frame(0x2, big)));
    ServerFrame f;
    ASSERT_TRUE(read_frame(c, f));
    EXPECT_EQ(f.opcode, 0x2);
    EXPECT_TRUE(f.payload == big);
}

// A worker that never reads: once its pipe holds the bound (64 MiB here), the connection
// whose event cannot be delivered is closed and the log says why; nothing is dropped silently.
TEST_F(ProcessMasterTest, StuckWorkerPipeFullClosesTheConnectionWithALogLine) {
    Client c(proto_->port());
    SessionId id = open_client(c);
    ASSERT_NE(id, 0u);
    const std::string frame = client_frame(0x2, std::string(1900 * 1024, 'x'));
    bool closed = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    // The worker is never pumped from here on. 60 x 1.9 MiB is past 64 MiB.
    for (int i = 0; i < 60 && !closed && std::chrono::steady_clock::now() < deadline; i++) {
        closed = !c.send(frame);
        c.drain();
        closed = closed || c.eof();
    }
    for (int i = 0; i < 400 && !closed; i++) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        c.drain();
        closed = c.eof();
    }
    EXPECT_TRUE(closed);
    std::FILE *f = std::fopen(log_path_.c_str(), "r");
    ASSERT_NE(f, nullptr);
    char line[512] = {};
    bool logged = false;
    while (std::fgets(line, sizeof line, f)) logged = logged || std::strstr(line, "the pipe to worker#0 is full");
    std::fclose(f);
    EXPECT_TRUE(logged);
}

TEST_F(ProcessMasterTest, HttpRequestIsAnsweredByTheWorker) {
    Client c(proto_->port());
    // has_request_handler is the master's setting: without it the master answers 400 itself.
    ASSERT_TRUE(c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n"));
    ASSERT_TRUE(pump_until([&] {
        c.drain();
        return c.buf().find("\r\n\r\n") != std::string::npos || c.eof();
    }));
    EXPECT_EQ(c.buf().rfind("HTTP/1.1 400 ", 0), 0u) << c.buf();
    EXPECT_TRUE(events_.request_paths.empty());
}
