// The N-API surface of uringctl: converts arguments, starts and stops native objects, converts results.
// Everything below it (uring/, echo/, bench/, netlink/, limits/, systemd/) is plain C++ with no N-API in it.
#include <napi.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "bench/address.h"
#include "bench/affinity.h"
#include "bench/errno_name.h"
#include "bench/run.h"
#include "echo/engine.h"
#include "echo/uring_support.h"
#include "limits/prlimit.h"
#include "netlink/socket.h"
#include "probe/functional.h"
#include "probe/kernel_tables.h"
#include "probe/setup_trial.h"
#include "systemd/notify.h"
#include "uring/prep.h"
#include "uring/ring.h"
#include "zcrx/register_test.h"

namespace {

// No C++ exception may cross into Node (it would abort the process): every export runs inside this
// guard, which turns what plain C++ below throws into a JS Error with an errno name as its code.
template <Napi::Value (*Entry)(const Napi::CallbackInfo&)>
Napi::Value Guarded(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto fail = [&](const std::string& message, int err) {
    Napi::Error error = Napi::Error::New(env, message);
    std::string name = err ? bench::errno_name(err) : std::string();
    error.Set("code", Napi::String::New(env, name.empty() ? "ENATIVE" : name));
    if (err) error.Set("errno", Napi::Number::New(env, err));
    return error;
  };
  try {
    return Entry(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw fail("out of memory", ENOMEM);
  } catch (const std::system_error& e) {
    throw fail(e.what(), e.code().value());
  } catch (const std::exception& e) {
    throw fail(e.what(), 0);
  } catch (...) {
    throw fail("a native exception of unknown type", 0);
  }
}

template <Napi::Value (*Entry)(const Napi::CallbackInfo&)>
void Export(Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New(exports.Env(), Guarded<Entry>, name));
}

// A JS array of a vector's values (numbers or strings).
template <typename T>
Napi::Array ToArray(Napi::Env env, const std::vector<T>& values) {
  Napi::Array out = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) out.Set(static_cast<uint32_t>(i), values[i]);
  return out;
}

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

// setErrnoNames(names): names[errno] is Node's name for it (os.constants.errno) or not a string.
Napi::Value SetErrnoNames(const Napi::CallbackInfo& info) {
  Napi::Array names = info[0].As<Napi::Array>();
  std::vector<std::string> table(names.Length());
  for (uint32_t i = 0; i < names.Length(); ++i) {
    Napi::Value name = names.Get(i);
    if (name.IsString()) table[i] = name.As<Napi::String>().Utf8Value();
  }
  bench::set_errno_names(std::move(table));
  return info.Env().Undefined();
}

// --- probe (uringctl probe) -----------------------------------------------------------------------

// probeSetup(flags) -> {errno, features, sqEntries, cqEntries, resource, resourceErrno}
Napi::Value ProbeSetup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t flags = info.Length() > 0 ? info[0].As<Napi::Number>().Uint32Value() : 0;
  probe::SetupTrial trial = probe::try_setup(flags);
  Napi::Object out = Napi::Object::New(env);
  out.Set("errno", trial.err);
  out.Set("features", trial.features);
  out.Set("sqEntries", trial.sq_entries);
  out.Set("cqEntries", trial.cq_entries);
  out.Set("resource", trial.resource.empty() ? env.Null() : Napi::String::New(env, trial.resource));
  out.Set("resourceErrno", trial.resource_err);
  return out;
}

// probeOpcodes() -> {errno, lastOp, flags: number[]}
Napi::Value ProbeOpcodes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  probe::OpcodeProbe probe = probe::probe_opcodes();
  Napi::Object out = Napi::Object::New(env);
  out.Set("errno", probe.err);
  out.Set("lastOp", probe.last_op);
  out.Set("flags", ToArray(env, probe.flags));
  return out;
}

// probeRegisterOpcodes(limit) -> {errno, errors: number[]}
Napi::Value ProbeRegisterOpcodes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  unsigned limit = info.Length() > 0 ? info[0].As<Napi::Number>().Uint32Value() : 64;
  probe::RegisterOpcodeProbe probe = probe::probe_register_opcodes(limit);
  Napi::Object out = Napi::Object::New(env);
  out.Set("errno", probe.err);
  out.Set("errors", ToArray(env, probe.errors));
  return out;
}

// probeQuery() -> {errno, result, nrRequestOpcodes, ..., featureFlags: bigint, ...}
Napi::Value ProbeQuery(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  probe::QueryOutcome q = probe::query_opcodes();
  Napi::Object out = Napi::Object::New(env);
  out.Set("errno", q.err);
  out.Set("result", q.result);
  out.Set("nrRequestOpcodes", q.opcodes.nr_request_opcodes);
  out.Set("nrRegisterOpcodes", q.opcodes.nr_register_opcodes);
  out.Set("featureFlags", Napi::BigInt::New(env, static_cast<uint64_t>(q.opcodes.feature_flags)));
  out.Set("ringSetupFlags", Napi::BigInt::New(env, static_cast<uint64_t>(q.opcodes.ring_setup_flags)));
  out.Set("enterFlags", Napi::BigInt::New(env, static_cast<uint64_t>(q.opcodes.enter_flags)));
  out.Set("sqeFlags", Napi::BigInt::New(env, static_cast<uint64_t>(q.opcodes.sqe_flags)));
  out.Set("nrQueryOpcodes", q.opcodes.nr_query_opcodes);
  return out;
}

// probeFunctional(name) -> {ran, ok, errno, detail}
Napi::Value ProbeFunctional(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  probe::FunctionalResult r;
  try {
    r = probe::run_functional(name);
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, std::string("functional test ") + name + ": " + e.what());
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("ran", r.ran);
  out.Set("ok", r.ok);
  out.Set("errno", r.err);
  out.Set("detail", r.detail);
  return out;
}

Napi::Value ProbeFunctionalNames(const Napi::CallbackInfo& info) {
  return ToArray(info.Env(), probe::functional_test_names());
}

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
  c.share_port = OptionalBool(o, "sharePort", c.share_port);
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
  // An engine thread that gave up is listed with the errors, so the stats and the summary show it.
  errors.Set("threadsFailed", static_cast<double>(s.threads_failed));
  out.Set("errors", errors);
  out.Set("lastErrno", s.totals.last_errno);
  out.Set("threadsRunning", static_cast<double>(s.threads_running));
  // Per engine thread, by index: the same traffic and error counters.
  Napi::Array threads = Napi::Array::New(env, s.per_thread.size());
  for (size_t i = 0; i < s.per_thread.size(); ++i) {
    const echo::Totals& t = s.per_thread[i].counters;
    Napi::Object thread = Napi::Object::New(env);
    Napi::Object thread_errors = Napi::Object::New(env);
#define ECHO_SET_TRAFFIC(field, name) thread.Set(name, static_cast<double>(t.field));
#define ECHO_SET_ERROR(field, name) thread_errors.Set(name, static_cast<double>(t.field));
    ECHO_TRAFFIC_COUNTERS(ECHO_SET_TRAFFIC)
    ECHO_ERROR_COUNTERS(ECHO_SET_ERROR)
#undef ECHO_SET_TRAFFIC
#undef ECHO_SET_ERROR
    thread_errors.Set("threadsFailed", s.per_thread[i].failed ? 1 : 0);
    thread.Set("errors", thread_errors);
    threads.Set(static_cast<uint32_t>(i), thread);
  }
  out.Set("perThread", threads);
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

// echoEndGrace(handle): while echoStop waits out its grace period, end it now (a second signal).
Napi::Value EchoEndGrace(const Napi::CallbackInfo& info) {
  EngineOf(info[0])->end_grace();
  return info.Env().Undefined();
}

// systemdNotify(socketPath, message) -> 0 or errno: one sd_notify datagram (native/systemd/notify.h).
Napi::Value SystemdNotify(const Napi::CallbackInfo& info) {
  int rc = systemd::notify(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value());
  return Napi::Number::New(info.Env(), -rc);
}

// --- echo bench (uringctl echo bench) --------------------------------------------------------------

// A run lives in a shared_ptr held by its JS handle and by the completion callback, so whichever of
// them goes last frees it; the coordinator reports the end through one thread-safe function.
struct BenchHandle {
  std::shared_ptr<bench::BenchRun> run;
};

bench::BenchConfig BenchConfigFrom(const Napi::Object& o) {
  bench::BenchConfig c;
  unsigned port = o.Get("port").As<Napi::Number>().Uint32Value();
  Napi::Array destinations = o.Get("destinations").As<Napi::Array>();
  for (uint32_t i = 0; i < destinations.Length(); ++i) {
    Napi::Object d = destinations.Get(i).As<Napi::Object>();
    bench::Destination destination;
    std::string address = d.Get("address").As<Napi::String>();
    if (!bench::set_address(destination, address, static_cast<uint16_t>(port)))
      throw Napi::TypeError::New(o.Env(), "not a numeric IP address: " + address);
    destination.target = d.Get("target").As<Napi::String>();
    c.destinations.push_back(std::move(destination));
  }
  if (c.destinations.empty()) throw Napi::TypeError::New(o.Env(), "no destination address");
  c.connections = o.Get("connections").As<Napi::Number>().Uint32Value();
  c.connect_rate = o.Get("connectRate").As<Napi::Number>().DoubleValue();
  c.size_min = o.Get("sizeMin").As<Napi::Number>().Uint32Value();
  c.size_max = o.Get("sizeMax").As<Napi::Number>().Uint32Value();
  c.pipeline = o.Get("pipeline").As<Napi::Number>().Uint32Value();
  c.duration_s = o.Get("durationSeconds").As<Napi::Number>().DoubleValue();
  c.messages = static_cast<uint64_t>(o.Get("messages").As<Napi::Number>().Int64Value());
  c.warmup_s = o.Get("warmupSeconds").As<Napi::Number>().DoubleValue();
  c.threads = o.Get("threads").As<Napi::Number>().Uint32Value();
  c.rate = o.Get("rate").As<Napi::Number>().DoubleValue();
  c.idle = o.Get("idle").As<Napi::Boolean>().Value();
  c.timeout_s = o.Get("timeoutSeconds").As<Napi::Number>().DoubleValue();
  c.server_pid = o.Get("serverPid").As<Napi::Number>().Int32Value();
  std::string backend = o.Get("clientBackend").As<Napi::String>();
  c.backend = backend == "epoll" ? bench::ClientBackend::epoll : bench::ClientBackend::io_uring;
  Napi::Array pin = o.Get("pin").As<Napi::Array>();
  for (uint32_t i = 0; i < pin.Length(); ++i) c.pin_cpus.push_back(pin.Get(i).As<Napi::Number>().Int32Value());
  return c;
}

Napi::Object LatencyObject(Napi::Env env, const bench::LatencyHistogram& h) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("count", static_cast<double>(h.count()));
  o.Set("min", static_cast<double>(h.min()));
  o.Set("mean", h.mean());
  o.Set("p50", static_cast<double>(h.value_at(50)));
  o.Set("p90", static_cast<double>(h.value_at(90)));
  o.Set("p99", static_cast<double>(h.value_at(99)));
  o.Set("p999", static_cast<double>(h.value_at(99.9)));
  o.Set("max", static_cast<double>(h.max()));
  return o;
}

Napi::Object SnapshotObject(Napi::Env env, const bench::HostSnapshot& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("serverRssBytes", s.server_rss_bytes < 0 ? env.Null() : Napi::Number::New(env, s.server_rss_bytes));
  o.Set("sockstat", s.sockstat);
  o.Set("meminfo", s.meminfo);
  return o;
}

Napi::Object BenchResultObject(Napi::Env env, const bench::BenchResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("abortedBeforeStart", r.aborted_before_start);
  o.Set("stopped", r.stopped);
  o.Set("windowSeconds", r.window_s);
  o.Set("messages", static_cast<double>(r.messages));
  o.Set("bytes", static_cast<double>(r.bytes));
  o.Set("verifiedBytes", static_cast<double>(r.verified_bytes));
  o.Set("latencyNs", LatencyObject(env, r.latency));
  o.Set("sendLagNs", LatencyObject(env, r.send_lag));
  o.Set("established", r.established);
  o.Set("aliveAtEnd", r.alive_at_end);
  o.Set("establishedPerDestination", ToArray(env, r.established_per_destination));
  o.Set("connectSeconds", r.connect_s);
  o.Set("before", SnapshotObject(env, r.before));
  o.Set("held", SnapshotObject(env, r.held));
  Napi::Object e = Napi::Object::New(env);
  e.Set("connect", static_cast<double>(r.errors.connect));
  e.Set("mismatch", static_cast<double>(r.errors.mismatch));
  e.Set("shortEcho", static_cast<double>(r.errors.short_echo));
  e.Set("closedEarly", static_cast<double>(r.errors.closed_early));
  e.Set("reset", static_cast<double>(r.errors.reset));
  e.Set("timeout", static_cast<double>(r.errors.timeout));
  o.Set("errors", e);
  o.Set("firstError", r.first_error.empty() ? env.Null() : Napi::String::New(env, r.first_error));
  o.Set("clientCpuSeconds", r.client_cpu_s);
  o.Set("serverCpuSeconds", r.server_cpu_s < 0 ? env.Null() : Napi::Number::New(env, r.server_cpu_s));
  o.Set("backlogAtEnd", static_cast<double>(r.backlog_at_end));
  o.Set("bufferStalls", static_cast<double>(r.buffer_stalls));
  o.Set("waits", static_cast<double>(r.waits));
  o.Set("clientBackend", r.backend == bench::ClientBackend::epoll ? "epoll" : "io_uring");
  o.Set("threadErrno", r.thread_error);
  o.Set("threadsStarted", r.threads_started);
  return o;
}

bench::BenchRun& RunOf(const Napi::Value& v) { return *v.As<Napi::External<BenchHandle>>().Data()->run; }

// benchStart(config, onDone(result)) -> handle
Napi::Value BenchStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto run = std::make_shared<bench::BenchRun>(BenchConfigFrom(info[0].As<Napi::Object>()));
  auto tsfn = Napi::ThreadSafeFunction::New(env, info[1].As<Napi::Function>(), "uringctl-bench", 0, 1);
  std::weak_ptr<bench::BenchRun> weak = run;
  run->start([tsfn, weak]() mutable {
    tsfn.NonBlockingCall([weak](Napi::Env env, Napi::Function done) {
      // Called from Node's loop, outside any export's guard: nothing may escape it either.
      try {
        if (auto r = weak.lock()) done.Call({BenchResultObject(env, r->result())});
      } catch (const Napi::Error& e) {
        e.ThrowAsJavaScriptException();
      } catch (const std::exception& e) {
        Napi::Error::New(env, e.what()).ThrowAsJavaScriptException();
      }
    });
    tsfn.Release();
  });
  auto* handle = new BenchHandle{run};
  return Napi::External<BenchHandle>::New(env, handle, [](Napi::Env, BenchHandle* h) { delete h; });
}

Napi::Value BenchProgress(const Napi::CallbackInfo& info) {
  static const char* const phases[] = {"connecting", "warmup", "measuring", "draining", "done"};
  bench::RunProgress p = RunOf(info[0]).progress();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("phase", phases[static_cast<int>(p.phase)]);
  o.Set("elapsedSeconds", p.elapsed_s);
  o.Set("messages", static_cast<double>(p.messages));
  o.Set("bytes", static_cast<double>(p.bytes));
  o.Set("errors", static_cast<double>(p.errors));
  o.Set("connected", static_cast<double>(p.connected));
  return o;
}

Napi::Value BenchStop(const Napi::CallbackInfo& info) {
  RunOf(info[0]).request_stop();
  return info.Env().Undefined();
}

// benchMemorySizes(): bytes the load generator keeps per connection and per message slot in flight, for
// the up-front check that a run's tables can be allocated.
Napi::Value BenchMemorySizes(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  // A connection: its state, a dirty and a closing slot, and its share of the io_uring client's rings
  // (up to 4 SQEs of 64 B and 8 CQEs of 16 B).
  o.Set("perConnection", static_cast<double>(sizeof(bench::Connection) + 2 * sizeof(void*) + 4 * 64 + 8 * 16));
  o.Set("perInFlight", static_cast<double>(sizeof(bench::InFlight)));
  return o;
}

Napi::Value BenchIoUringUnsupportedReason(const Napi::CallbackInfo& info) {
  std::string reason = bench::uring_client_unsupported_reason();
  return reason.empty() ? info.Env().Null() : Napi::String::New(info.Env(), reason);
}

// benchLatencyPercentiles(valuesNs[], percentiles[]): the histogram's answers, for tests of its accuracy.
Napi::Value BenchLatencyPercentiles(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array values = info[0].As<Napi::Array>();
  Napi::Array percentiles = info[1].As<Napi::Array>();
  bench::LatencyHistogram h;
  for (uint32_t i = 0; i < values.Length(); ++i) h.record(values.Get(i).As<Napi::Number>().Int64Value());
  Napi::Array out = Napi::Array::New(env, percentiles.Length());
  for (uint32_t i = 0; i < percentiles.Length(); ++i)
    out.Set(i, static_cast<double>(h.value_at(percentiles.Get(i).As<Napi::Number>().DoubleValue())));
  Napi::Object o = LatencyObject(env, h);
  o.Set("values", out);
  return o;
}

Napi::Value BenchAllowedCpus(const Napi::CallbackInfo& info) {
  return ToArray(info.Env(), bench::allowed_cpus());
}

// benchPinProcess(pid, cpus[]) -> threads pinned, or -errno
Napi::Value BenchPinProcess(const Napi::CallbackInfo& info) {
  int pid = info[0].As<Napi::Number>().Int32Value();
  Napi::Array list = info[1].As<Napi::Array>();
  std::vector<int> cpus;
  for (uint32_t i = 0; i < list.Length(); ++i) cpus.push_back(list.Get(i).As<Napi::Number>().Int32Value());
  return Napi::Number::New(info.Env(), bench::pin_process(pid, cpus));
}

// --- netlink (uringctl tcp-data-split) -------------------------------------------------------------

// netlinkOpen(protocol) -> fd; throws with the errno name when the socket cannot be opened.
Napi::Value NetlinkOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = netlink::open_socket(info[0].As<Napi::Number>().Int32Value());
  if (fd < 0) {
    Napi::Error error = Napi::Error::New(env, std::string("netlink socket: ") + strerror(-fd));
    error.Set("errno", Napi::Number::New(env, -fd));
    throw error;
  }
  return Napi::Number::New(env, fd);
}

// netlinkTransact(fd, request: Buffer, timeoutMs, maxBytes) -> {errno, datagrams: Buffer[]}
Napi::Value NetlinkTransact(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  Napi::Buffer<uint8_t> request = info[1].As<Napi::Buffer<uint8_t>>();
  int timeout_ms = info[2].As<Napi::Number>().Int32Value();
  size_t max_bytes = static_cast<size_t>(info[3].As<Napi::Number>().Int64Value());
  netlink::Reply reply = netlink::transact(fd, request.Data(), request.Length(), timeout_ms, max_bytes);
  Napi::Object result = Napi::Object::New(env);
  result.Set("errno", -reply.error);
  Napi::Array datagrams = Napi::Array::New(env, reply.datagrams.size());
  for (size_t i = 0; i < reply.datagrams.size(); ++i) {
    const auto& d = reply.datagrams[i];
    datagrams.Set(i, Napi::Buffer<uint8_t>::Copy(env, d.data(), d.size()));
  }
  result.Set("datagrams", datagrams);
  return result;
}

Napi::Value NetlinkClose(const Napi::CallbackInfo& info) {
  netlink::close_socket(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

// zcrxRegisterTest() -> {setupErrno, registerErrno}: see native/zcrx/register_test.h.
Napi::Value ZcrxRegisterTest(const Napi::CallbackInfo& info) {
  zcrx::RegisterTest test = zcrx::register_test();
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("setupErrno", -test.setup_error);
  result.Set("registerErrno", -test.register_error);
  return result;
}

// --- limits (uringctl ulimit) ----------------------------------------------------------------------

// Limits cross to JS as numbers, RLIM_INFINITY as Infinity (every real nofile/memlock/nproc fits 2^53).
Napi::Object LimitToJs(Napi::Env env, int err, const limits::Limit& limit) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("errno", err < 0 ? -err : 0);
  auto value = [](uint64_t v) {
    return v == limits::kUnlimited ? std::numeric_limits<double>::infinity() : static_cast<double>(v);
  };
  result.Set("soft", err < 0 ? std::numeric_limits<double>::quiet_NaN() : value(limit.soft));
  result.Set("hard", err < 0 ? std::numeric_limits<double>::quiet_NaN() : value(limit.hard));
  return result;
}

int LimitResourceArg(const Napi::CallbackInfo& info, size_t index) {
  std::string name = info[index].As<Napi::String>().Utf8Value();
  std::optional<int> resource = limits::resource_by_name(name);
  if (!resource) throw Napi::TypeError::New(info.Env(), "unknown resource: " + name);
  return *resource;
}

uint64_t LimitValueArg(const Napi::CallbackInfo& info, size_t index) {
  double v = info[index].As<Napi::Number>().DoubleValue();
  if (std::isinf(v) && v > 0) return limits::kUnlimited;
  if (!(v >= 0) || v > 9007199254740991.0 || std::floor(v) != v)
    throw Napi::TypeError::New(info.Env(), "limit values must be whole numbers or Infinity");
  return static_cast<uint64_t>(v);
}

// limitsGet(pid, resource) -> {errno, soft, hard}
Napi::Value LimitsGet(const Napi::CallbackInfo& info) {
  pid_t pid = info[0].As<Napi::Number>().Int32Value();
  int resource = LimitResourceArg(info, 1);
  limits::Limit limit;
  int err = limits::get(pid, resource, limit);
  return LimitToJs(info.Env(), err, limit);
}

// limitsSet(pid, resource, soft, hard) -> {errno, soft, hard} where soft/hard are the replaced limit.
Napi::Value LimitsSet(const Napi::CallbackInfo& info) {
  pid_t pid = info[0].As<Napi::Number>().Int32Value();
  int resource = LimitResourceArg(info, 1);
  limits::Limit want{LimitValueArg(info, 2), LimitValueArg(info, 3)};
  limits::Limit before;
  int err = limits::set(pid, resource, want, before);
  return LimitToJs(info.Env(), err, before);
}

Napi::Value PageSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(limits::page_size()));
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Export<RingSelfTest>(exports, "ringSelfTest");
  Export<SetErrnoNames>(exports, "setErrnoNames");

  // probe
  Export<ProbeSetup>(exports, "probeSetup");
  Export<ProbeOpcodes>(exports, "probeOpcodes");
  Export<ProbeRegisterOpcodes>(exports, "probeRegisterOpcodes");
  Export<ProbeQuery>(exports, "probeQuery");
  Export<ProbeFunctional>(exports, "probeFunctional");
  Export<ProbeFunctionalNames>(exports, "probeFunctionalNames");

  // echo serve
  Export<EchoStart>(exports, "echoStart");
  Export<EchoStats>(exports, "echoStats");
  Export<EchoStop>(exports, "echoStop");
  Export<EchoEndGrace>(exports, "echoEndGrace");
  Export<SystemdNotify>(exports, "systemdNotify");

  // echo bench
  Export<BenchStart>(exports, "benchStart");
  Export<BenchProgress>(exports, "benchProgress");
  Export<BenchStop>(exports, "benchStop");
  Export<BenchMemorySizes>(exports, "benchMemorySizes");
  Export<BenchIoUringUnsupportedReason>(exports, "benchIoUringUnsupportedReason");
  Export<BenchLatencyPercentiles>(exports, "benchLatencyPercentiles");
  Export<BenchAllowedCpus>(exports, "benchAllowedCpus");
  Export<BenchPinProcess>(exports, "benchPinProcess");

  // netlink
  Export<NetlinkOpen>(exports, "netlinkOpen");
  Export<NetlinkTransact>(exports, "netlinkTransact");
  Export<NetlinkClose>(exports, "netlinkClose");
  Export<ZcrxRegisterTest>(exports, "zcrxRegisterTest");

  // limits
  Export<LimitsGet>(exports, "limitsGet");
  Export<LimitsSet>(exports, "limitsSet");
  Export<PageSize>(exports, "pageSize");

  return exports;
}

NODE_API_MODULE(uringctl, Init)
