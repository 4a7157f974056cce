"""mentorflow's library: workbook adapters, models, validation and the stages of the nightly job."""
