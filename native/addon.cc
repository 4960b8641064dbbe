// The N-API surface of uringctl: converts arguments, starts and stops native objects, converts results.
// Everything below it (uring/, echo/, bench/, netlink/, limits/) is plain C++ with no N-API in it.
#include <napi.h>

#include <cstring>
#include <string>

#include "bench/address.h"
#include "bench/affinity.h"
#include "bench/run.h"
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

// (echo server functions go here)

// --- echo bench (uringctl echo bench) --------------------------------------------------------------

// A run lives in a shared_ptr held by its JS handle and by the completion callback, so whichever of
// them goes last frees it; the coordinator reports the end through one thread-safe function.
struct BenchHandle {
  std::shared_ptr<bench::BenchRun> run;
};

bench::BenchConfig BenchConfigFrom(const Napi::Object& o) {
  bench::BenchConfig c;
  std::string address = o.Get("address").As<Napi::String>();
  unsigned port = o.Get("port").As<Napi::Number>().Uint32Value();
  if (!bench::set_address(c, address, static_cast<uint16_t>(port)))
    throw Napi::TypeError::New(o.Env(), "not a numeric IP address: " + address);
  c.target = o.Get("target").As<Napi::String>();
  c.connections = o.Get("connections").As<Napi::Number>().Uint32Value();
  c.size_min = o.Get("sizeMin").As<Napi::Number>().Uint32Value();
  c.size_max = o.Get("sizeMax").As<Napi::Number>().Uint32Value();
  c.pipeline = o.Get("pipeline").As<Napi::Number>().Uint32Value();
  c.duration_s = o.Get("durationSeconds").As<Napi::Number>().DoubleValue();
  c.messages = static_cast<uint64_t>(o.Get("messages").As<Napi::Number>().Int64Value());
  c.warmup_s = o.Get("warmupSeconds").As<Napi::Number>().DoubleValue();
  c.threads = o.Get("threads").As<Napi::Number>().Uint32Value();
  c.rate = o.Get("rate").As<Napi::Number>().DoubleValue();
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

Napi::Object BenchResultObject(Napi::Env env, const bench::BenchResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("abortedBeforeStart", r.aborted_before_start);
  o.Set("stopped", r.stopped);
  o.Set("windowSeconds", r.window_s);
  o.Set("messages", static_cast<double>(r.messages));
  o.Set("bytes", static_cast<double>(r.bytes));
  o.Set("verifiedBytes", static_cast<double>(r.verified_bytes));
  o.Set("latencyNs", LatencyObject(env, r.latency));
  o.Set("established", r.established);
  o.Set("aliveAtEnd", r.alive_at_end);
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
      if (auto r = weak.lock()) done.Call({BenchResultObject(env, r->result())});
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
  return o;
}

Napi::Value BenchStop(const Napi::CallbackInfo& info) {
  RunOf(info[0]).request_stop();
  return info.Env().Undefined();
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
  std::vector<int> cpus = bench::allowed_cpus();
  Napi::Array out = Napi::Array::New(info.Env(), cpus.size());
  for (size_t i = 0; i < cpus.size(); ++i) out.Set(static_cast<uint32_t>(i), cpus[i]);
  return out;
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

// (netlink socket functions go here)

// --- limits (uringctl ulimit) ----------------------------------------------------------------------

// (limits functions go here)

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("ringSelfTest", Napi::Function::New(env, RingSelfTest));
  exports.Set("errnoName", Napi::Function::New(env, ErrnoName));

  // probe

  // echo serve

  // echo bench
  exports.Set("benchStart", Napi::Function::New(env, BenchStart));
  exports.Set("benchProgress", Napi::Function::New(env, BenchProgress));
  exports.Set("benchStop", Napi::Function::New(env, BenchStop));
  exports.Set("benchIoUringUnsupportedReason", Napi::Function::New(env, BenchIoUringUnsupportedReason));
  exports.Set("benchLatencyPercentiles", Napi::Function::New(env, BenchLatencyPercentiles));
  exports.Set("benchAllowedCpus", Napi::Function::New(env, BenchAllowedCpus));
  exports.Set("benchPinProcess", Napi::Function::New(env, BenchPinProcess));

  // netlink

  // limits

  return exports;
}

NODE_API_MODULE(uringctl, Init)
