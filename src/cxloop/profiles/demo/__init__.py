"""The deterministic demo world: a telecom and retail company with customers in five markets."""
