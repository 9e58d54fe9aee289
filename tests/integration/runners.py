"""Consumer runners in threads for the integration tests: started on demand, all stopped after."""
import threading


class RunnerThreads:
    def __init__(self):
        self.started = []

    def start(self, runner):
        stop = threading.Event()
        thread = threading.Thread(target=runner.run, args=(stop.is_set,))
        thread.start()
        self.started.append((stop, thread, runner))
        return runner

    def stop_all(self) -> None:
        for stop, thread, runner in self.started:
            stop.set()
            thread.join(30)
            runner.producer = None  # freed now, not when Kafka stops at the end of the session
