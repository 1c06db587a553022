"""Quality assurance: post-call and callback satisfaction surveys, sampling, evaluation."""
