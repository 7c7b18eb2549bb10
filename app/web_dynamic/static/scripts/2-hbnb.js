/* Task 3: + the API status circle. */
'use strict';

HBNB.listChecked('.amenities');
HBNB.showApiStatus();
