from django.urls import path

from buurtbalans.allocation import assessment_views, letter_views, views

urlpatterns = [
    path("", views.round_list, name="allocation_round_list"),
    path("rounds/new/", views.round_new, name="allocation_round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="allocation_round_detail"),
    path("rounds/<int:pk>/listings/", views.round_add_listings, name="allocation_round_add_listings"),
    path("rounds/<int:pk>/run/", views.round_start, name="allocation_round_start"),
    path("rounds/<int:pk>/result/", views.round_result, name="allocation_round_result"),
    path("rounds/<int:pk>/approve/", views.round_approve, name="allocation_round_approve"),
    path("rounds/<int:pk>/close/", views.round_close, name="allocation_round_close"),
    path("rounds/<int:pk>/letters/", letter_views.letter_list, name="allocation_letter_list"),
    path("rounds/<int:pk>/letters/all/", letter_views.letters_all, name="allocation_letters_all"),
    path("rounds/<int:pk>/letters/<int:applicant_pk>/", letter_views.letter_detail, name="allocation_letter"),
    path("rounds/<int:pk>/letters/<int:applicant_pk>/pdf/", letter_views.letter_download,
         name="allocation_letter_pdf"),
    path("letters/<int:job_pk>/", letter_views.letters_file, name="allocation_letters_file"),
    path("offers/<int:pk>/accept/", views.offer_accept, name="allocation_offer_accept"),
    path("offers/<int:pk>/decline/", views.offer_decline, name="allocation_offer_decline"),
    path("listings/", views.listing_list, name="allocation_listing_list"),
    path("listings/new/", views.listing_new, name="allocation_listing_new"),
    path("listings/<int:pk>/", views.listing_detail, name="allocation_listing_detail"),
    path("listings/<int:pk>/edit/", views.listing_edit, name="allocation_listing_edit"),
    path("listings/<int:pk>/withdraw/", views.listing_withdraw, name="allocation_listing_withdraw"),
    path("listings/<int:pk>/bids/", views.listing_bid_add, name="allocation_listing_bid_add"),
    path("listings/<int:pk>/scores/", views.listing_score_add, name="allocation_listing_score_add"),
    path("listings/<int:pk>/account/", views.listing_account, name="allocation_listing_account"),
    path("bids/import/", views.bid_import, name="allocation_bid_import"),
    path("applicants/<int:pk>/", views.applicant_detail, name="allocation_applicant"),
    # Blind assessing of motivation and the agreement of assessors (issue 13 items 2 and 4).
    path("assess/", assessment_views.assess_list, name="allocation_assess_list"),
    path("assess/<int:pk>/", assessment_views.assess_listing, name="allocation_assess_listing"),
    path("listings/<int:pk>/motivations/", assessment_views.motivation_texts, name="allocation_motivation_texts"),
    path("agreement/", assessment_views.assessor_agreement, name="allocation_assessor_agreement"),
]
