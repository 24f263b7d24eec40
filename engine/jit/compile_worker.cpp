#include "engine/jit/compile_worker.h"

namespace tiervm {

CompileWorker::CompileWorker(CompileFn compile, ReleaseFn release, uint32_t batch_size)
    : compile_(std::move(compile)),
      release_fn_(std::move(release)),
      batch_size_(batch_size),
      thread_([this] { run(); }) {}

CompileWorker::~CompileWorker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void CompileWorker::submit(CompileJob job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    (job.tier == Tier::Optimized ? optimizing_queue_ : fast_queue_).push_back(std::move(job));
  }
  wake_.notify_one();
}

void CompileWorker::release(const std::vector<uint64_t>& modules) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    release_.insert(release_.end(), modules.begin(), modules.end());
  }
  wake_.notify_one();
}

std::vector<CompileResult> CompileWorker::take_results() {
  std::vector<CompileResult> done;
  std::lock_guard<std::mutex> lock(mutex_);
  done.swap(done_);
  ready_.store(false, std::memory_order_relaxed);
  return done;
}

size_t CompileWorker::queue_length() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return fast_queue_.size() + optimizing_queue_.size();
}

void CompileWorker::run() {
  while (true) {
    std::vector<CompileJob> jobs;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] {
        return stopping_ || !fast_queue_.empty() || !optimizing_queue_.empty() || !release_.empty();
      });
      if (stopping_) return;
      if (!release_.empty()) {
        std::vector<uint64_t> dead;
        dead.swap(release_);
        lock.unlock();
        for (uint64_t m : dead) release_fn_(m);
        continue;
      }
      if (!fast_queue_.empty()) {
        while (!fast_queue_.empty() && jobs.size() < batch_size_) {
          jobs.push_back(std::move(fast_queue_.front()));
          fast_queue_.pop_front();
        }
      } else {
        jobs.push_back(std::move(optimizing_queue_.front()));
        optimizing_queue_.pop_front();
      }
    }
    busy_.store(true, std::memory_order_relaxed);
    std::vector<CompileResult> done = compile_(jobs);
    busy_.store(false, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (CompileResult& d : done) done_.push_back(std::move(d));
    }
    ready_.store(true, std::memory_order_release);
  }
}

}  // namespace tiervm
