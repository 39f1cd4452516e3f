"""Project events: the log (log.py), its relay to this process (relay.py), the fan-out to streams
(fanout.py), and the streams' end at shutdown (signals.py)."""
