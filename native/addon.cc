// The N-API surface of uringctl: converts arguments, starts and stops native objects, converts results.
// Everything below it (uring/, echo/, bench/, netlink/, limits/) is plain C++ with no N-API in it.
#include <napi.h>

#include <cstring>
#include <memory>
#include <string>

#include "echo/engine.h"
#include "echo/uring_support.h"
#include "uring/prep.h"
#include "uring/ring.h"

namespace {

// --- ring layer self-test -------------------------------------------------------------------------

// Submits `count` NOPs through the ring in batches and reaps their completions; proves setup, mmap,
// SQE/CQE indexing and ordering on this kernel. Returns {completed, errno}.
Napi::Value RingSelfTest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  unsigned count = info.Length() > 0 ? info[0].As<Napi::Number>().Uint32Value() : 1000;
  uring::Ring ring;
  uring::RingOptions options;
  options.entries = 64;
  Napi::Object result = Napi::Object::New(env);
  int rc = ring.init(options);
  unsigned completed = 0;
  uint64_t user_data_sum = 0, expected_sum = 0;
  for (unsigned sent = 0; rc == 0 && sent < count;) {
    unsigned batch = 0;
    while (sent < count) {
      uring::abi::Sqe* sqe = ring.get_sqe();
      if (!sqe) break;
      uring::prep::nop(sqe, sent + 1);
      expected_sum += sent + 1;
      ++sent;
      ++batch;
    }
    rc = ring.submit_and_wait(batch);
    if (rc < 0) break;
    rc = 0;
    while (completed < sent) {
      unsigned n = ring.for_each_cqe([&](const uring::abi::Cqe& cqe) { user_data_sum += cqe.user_data; });
      completed += n;
      if (completed < sent && (rc = ring.submit_and_wait(1)) < 0) break;
      rc = 0;
    }
  }
  result.Set("completed", completed);
  result.Set("userDataMatches", user_data_sum == expected_sum);
  result.Set("errno", rc < 0 ? -rc : 0);
  result.Set("features", ring.features());
  return result;
}

Napi::Value ErrnoName(const Napi::CallbackInfo& info) {
  int e = info[0].As<Napi::Number>().Int32Value();
  const char* name = strerrorname_np(e);
  return name ? Napi::String::New(info.Env(), name) : info.Env().Null();
}

// --- probe (uringctl probe) -----------------------------------------------------------------------

// (probe functions go here)

// --- echo serve (uringctl echo serve) --------------------------------------------------------------

// An engine lives in a JS External; stop() runs on a worker thread (it joins the engine's threads) and
// keeps the engine alive through its own reference.
using EngineRef = std::shared_ptr<echo::Engine>;

uint32_t OptionalUint(const Napi::Object& o, const char* key, uint32_t fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Uint32Value() : fallback;
}
bool OptionalBool(const Napi::Object& o, const char* key, bool fallback) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : fallback;
}

echo::Config EchoConfig(const Napi::Object& o) {
  echo::Config c;
  Napi::Value backend = o.Get("backend");
  if (backend.IsString() && backend.As<Napi::String>().Utf8Value() == "epoll") c.backend = echo::Backend::epoll;
  Napi::Value host = o.Get("host");
  if (host.IsString()) c.host = host.As<Napi::String>().Utf8Value();
  c.port = static_cast<uint16_t>(OptionalUint(o, "port", c.port));
  c.threads = OptionalUint(o, "threads", c.threads);
  c.pin = OptionalBool(o, "pin", c.pin);
  c.max_conns = OptionalUint(o, "maxConns", c.max_conns);
  c.idle_timeout_ms = OptionalUint(o, "idleTimeoutMs", c.idle_timeout_ms);
  c.buffer_size = OptionalUint(o, "bufferSize", c.buffer_size);
  c.buffer_count = OptionalUint(o, "bufferCount", c.buffer_count);
  c.max_pending = OptionalUint(o, "maxPending", c.max_pending);
  c.backlog = OptionalUint(o, "backlog", c.backlog);
  c.batch_wait_us = OptionalUint(o, "batchWaitUs", c.batch_wait_us);
  c.epoll_edge_triggered = OptionalBool(o, "edgeTriggered", c.epoll_edge_triggered);
  Napi::Value t = o.Get("techniques");
  if (t.IsObject()) {
    Napi::Object techniques = t.As<Napi::Object>();
    echo::UringTechniques& u = c.uring;
    u.defer_taskrun = OptionalBool(techniques, "deferTaskrun", u.defer_taskrun);
    u.coop_taskrun = OptionalBool(techniques, "coopTaskrun", u.coop_taskrun);
    u.registered_ring = OptionalBool(techniques, "registeredRing", u.registered_ring);
    u.multishot_accept = OptionalBool(techniques, "multishotAccept", u.multishot_accept);
    u.multishot_recv = OptionalBool(techniques, "multishotRecv", u.multishot_recv);
    u.buffer_ring = OptionalBool(techniques, "bufferRing", u.buffer_ring);
    u.bundle = OptionalBool(techniques, "bundle", u.bundle);
    u.sendmsg_batch = OptionalBool(techniques, "sendmsgBatch", u.sendmsg_batch);
    u.sqpoll = OptionalBool(techniques, "sqpoll", u.sqpoll);
  }
  return c;
}

Napi::Object EchoSnapshot(Napi::Env env, const echo::Snapshot& s) {
  Napi::Object out = Napi::Object::New(env);
  Napi::Object errors = Napi::Object::New(env);
#define ECHO_SET_TRAFFIC(field, name) out.Set(name, static_cast<double>(s.totals.field));
#define ECHO_SET_ERROR(field, name) errors.Set(name, static_cast<double>(s.totals.field));
  ECHO_TRAFFIC_COUNTERS(ECHO_SET_TRAFFIC)
  ECHO_ERROR_COUNTERS(ECHO_SET_ERROR)
#undef ECHO_SET_TRAFFIC
#undef ECHO_SET_ERROR
  out.Set("errors", errors);
  out.Set("lastErrno", s.totals.last_errno);
  out.Set("threadsRunning", static_cast<double>(s.threads_running));
  return out;
}

EngineRef& EngineOf(const Napi::Value& handle) { return *handle.As<Napi::External<EngineRef>>().Data(); }

// echoStart(config) -> {ok: true, handle, backend, host, port, threads, features} | {ok: false, errno, stage, detail}
Napi::Value EchoStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  echo::Config config = EchoConfig(info[0].As<Napi::Object>());
  EngineRef engine = echo::make_engine(config.backend);
  echo::StartError error;
  Napi::Object result = Napi::Object::New(env);
  if (!engine->start(config, error)) {
    result.Set("ok", false);
    result.Set("errno", error.err);
    result.Set("stage", error.stage);
    result.Set("detail", error.detail);
    return result;
  }
  Napi::Array features = Napi::Array::New(env);
  for (const std::string& name : engine->features()) features.Set(features.Length(), name);
  result.Set("ok", true);
  result.Set("backend", engine->backend_name());
  result.Set("host", engine->bound_host());
  result.Set("port", engine->bound_port());
  result.Set("threads", engine->thread_count());
  result.Set("features", features);
  result.Set("handle", Napi::External<EngineRef>::New(env, new EngineRef(std::move(engine)),
                                                      [](Napi::Env, EngineRef* ref) { delete ref; }));
  return result;
}

Napi::Value EchoStats(const Napi::CallbackInfo& info) {
  return EchoSnapshot(info.Env(), EngineOf(info[0])->snapshot());
}

class EchoStopWorker : public Napi::AsyncWorker {
 public:
  EchoStopWorker(Napi::Env env, EngineRef engine, unsigned grace_ms)
      : Napi::AsyncWorker(env), engine_(std::move(engine)), grace_ms_(grace_ms), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    engine_->stop(grace_ms_);
    snapshot_ = engine_->snapshot();
  }
  void OnOK() override { deferred_.Resolve(EchoSnapshot(Env(), snapshot_)); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  EngineRef engine_;
  unsigned grace_ms_;
  echo::Snapshot snapshot_;
  Napi::Promise::Deferred deferred_;
};

// echoStop(handle, graceMs) -> Promise<snapshot>: stops accepting, drains for up to graceMs, joins.
Napi::Value EchoStop(const Napi::CallbackInfo& info) {
  auto* worker = new EchoStopWorker(info.Env(), EngineOf(info[0]), info[1].As<Napi::Number>().Uint32Value());
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// echoUringSetupErrno() -> 0 when io_uring_setup works here, else its errno (for the availability verdict).
Napi::Value EchoUringSetupErrno(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), echo::uring_setup_errno());
}

// --- echo bench (uringctl echo bench) --------------------------------------------------------------

// (load generator functions go here)

// --- netlink (uringctl tcp-data-split) -------------------------------------------------------------

// (netlink socket functions go here)

// --- limits (uringctl ulimit) ----------------------------------------------------------------------

// (limits functions go here)

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("ringSelfTest", Napi::Function::New(env, RingSelfTest));
  exports.Set("errnoName", Napi::Function::New(env, ErrnoName));

  // probe

  // echo serve
  exports.Set("echoStart", Napi::Function::New(env, EchoStart));
  exports.Set("echoStats", Napi::Function::New(env, EchoStats));
  exports.Set("echoStop", Napi::Function::New(env, EchoStop));
  exports.Set("echoUringSetupErrno", Napi::Function::New(env, EchoUringSetupErrno));

  // echo bench

  // netlink

  // limits

  return exports;
}

NODE_API_MODULE(uringctl, Init)
