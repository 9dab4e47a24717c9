"""Small shared building blocks with no domain logic: views, cores, atomic writes.

Every layer may import ``kneetrack.core``; ``kneetrack.core`` imports no other kneetrack package.
"""
