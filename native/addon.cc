// The N-API surface of uringctl: converts arguments, starts and stops native objects, converts results.
// Everything below it (uring/, echo/, bench/, netlink/, limits/) is plain C++ with no N-API in it.
#include <napi.h>

#include <cstring>
#include <string>

#include "probe/functional.h"
#include "probe/kernel_tables.h"
#include "probe/setup_trial.h"
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

// probeZcrxRegister() -> {setupErrno, errno}
Napi::Value ProbeZcrxRegister(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  probe::ZcrxRegisterProbe z = probe::probe_zcrx_register();
  Napi::Object out = Napi::Object::New(env);
  out.Set("setupErrno", z.setup_err);
  out.Set("errno", z.err);
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

// (netlink socket functions go here)

// --- limits (uringctl ulimit) ----------------------------------------------------------------------

// (limits functions go here)

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("ringSelfTest", Napi::Function::New(env, RingSelfTest));
  exports.Set("errnoName", Napi::Function::New(env, ErrnoName));

  // probe
  exports.Set("probeSetup", Napi::Function::New(env, ProbeSetup));
  exports.Set("probeOpcodes", Napi::Function::New(env, ProbeOpcodes));
  exports.Set("probeRegisterOpcodes", Napi::Function::New(env, ProbeRegisterOpcodes));
  exports.Set("probeQuery", Napi::Function::New(env, ProbeQuery));
  exports.Set("probeZcrxRegister", Napi::Function::New(env, ProbeZcrxRegister));
  exports.Set("probeFunctional", Napi::Function::New(env, ProbeFunctional));
  exports.Set("probeFunctionalNames", Napi::Function::New(env, ProbeFunctionalNames));

  // echo serve

  // echo bench

  // netlink

  // limits

  return exports;
}

NODE_API_MODULE(uringctl, Init)
