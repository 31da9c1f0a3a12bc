"""Matching a family's question to the network's offers: pure scoring (scoring) and the
database side (services). The job that runs it lives in workers.matching_jobs."""
