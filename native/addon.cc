// The N-API surface of uringctl: converts arguments, starts and stops native objects, converts results.
// Everything below it (uring/, echo/, bench/, netlink/, limits/) is plain C++ with no N-API in it.
#include <napi.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "limits/prlimit.h"
#include "netlink/socket.h"
#include "probe/functional.h"
#include "probe/kernel_tables.h"
#include "probe/setup_trial.h"
#include "uring/prep.h"
#include "uring/ring.h"
#include "zcrx/register_test.h"

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
  Napi::Array flags = Napi::Array::New(env, probe.flags.size());
  for (size_t i = 0; i < probe.flags.size(); ++i) flags.Set(static_cast<uint32_t>(i), probe.flags[i]);
  out.Set("flags", flags);
  return out;
}

// probeRegisterOpcodes(limit) -> {errno, errors: number[]}
Napi::Value ProbeRegisterOpcodes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  unsigned limit = info.Length() > 0 ? info[0].As<Napi::Number>().Uint32Value() : 64;
  probe::RegisterOpcodeProbe probe = probe::probe_register_opcodes(limit);
  Napi::Object out = Napi::Object::New(env);
  out.Set("errno", probe.err);
  Napi::Array errors = Napi::Array::New(env, probe.errors.size());
  for (size_t i = 0; i < probe.errors.size(); ++i) errors.Set(static_cast<uint32_t>(i), probe.errors[i]);
  out.Set("errors", errors);
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
  std::vector<std::string> names = probe::functional_test_names();
  Napi::Array out = Napi::Array::New(info.Env(), names.size());
  for (size_t i = 0; i < names.size(); ++i) out.Set(static_cast<uint32_t>(i), names[i]);
  return out;
}

// --- echo serve (uringctl echo serve) --------------------------------------------------------------

// (echo server functions go here)

// --- echo bench (uringctl echo bench) --------------------------------------------------------------

// (load generator functions go here)

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
  exports.Set("ringSelfTest", Napi::Function::New(env, RingSelfTest));
  exports.Set("errnoName", Napi::Function::New(env, ErrnoName));

  // probe
  exports.Set("probeSetup", Napi::Function::New(env, ProbeSetup));
  exports.Set("probeOpcodes", Napi::Function::New(env, ProbeOpcodes));
  exports.Set("probeRegisterOpcodes", Napi::Function::New(env, ProbeRegisterOpcodes));
  exports.Set("probeQuery", Napi::Function::New(env, ProbeQuery));
  exports.Set("probeFunctional", Napi::Function::New(env, ProbeFunctional));
  exports.Set("probeFunctionalNames", Napi::Function::New(env, ProbeFunctionalNames));

  // echo serve

  // echo bench

  // netlink
  exports.Set("netlinkOpen", Napi::Function::New(env, NetlinkOpen));
  exports.Set("netlinkTransact", Napi::Function::New(env, NetlinkTransact));
  exports.Set("netlinkClose", Napi::Function::New(env, NetlinkClose));
  exports.Set("zcrxRegisterTest", Napi::Function::New(env, ZcrxRegisterTest));

  // limits
  exports.Set("limitsGet", Napi::Function::New(env, LimitsGet));
  exports.Set("limitsSet", Napi::Function::New(env, LimitsSet));
  exports.Set("pageSize", Napi::Function::New(env, PageSize));

  return exports;
}

NODE_API_MODULE(uringctl, Init)
