"""Assessment: root-cause inference and referral (red flags) from analysis + screening."""

from kneetrack.assessment.causes import CauseInference
from kneetrack.assessment.referral import ReferralCheck

__all__ = ["CauseInference", "ReferralCheck"]
