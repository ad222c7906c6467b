"""Revenue history: loading records (API and CSV), the summaries kept on accounts, and the readings over them."""
