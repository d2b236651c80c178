"""The fraud team's pages: the review queue, bulk blocks and four-eyes unblocking. The
blueprint is in ``views`` (imported by the app factory; the customer forms import ``forms``)."""
